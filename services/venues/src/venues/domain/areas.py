"""Areas: the province's administrative map as data, since it changes (districts merged in 2025)."""

import uuid
from dataclasses import dataclass, field, replace

from venues.domain import Rejected

# How deep each level sits: a province holds cities, towns and districts, which hold wards and communes.
TIER = {"province": 0, "city": 1, "town": 1, "district": 1, "ward": 2, "commune": 2}
LEVELS = tuple(TIER)


@dataclass(frozen=True)
class Area:
    level: str
    name_vi: str
    name_en: str
    parent_id: str | None = None
    code: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def new_area(level: str, name_vi: str, name_en: str, parent: Area | None, code: str | None = None) -> Area:
    """A province stands at the top; every other area sits inside a wider one."""
    if level not in LEVELS:
        raise Rejected("level", f"must be one of {', '.join(LEVELS)}")
    if parent is None and TIER[level] != 0:
        raise Rejected("parent_id", f"a {level} must sit inside a wider area")
    if parent is not None and TIER[parent.level] != TIER[level] - 1:
        raise Rejected("parent_id", f"a {level} cannot sit inside a {parent.level}")
    if not name_vi.strip() or not name_en.strip():
        raise Rejected("name", "both the Vietnamese and the English name are needed")
    return Area(level, name_vi.strip(), name_en.strip(), parent.id if parent else None, code)


def changed_area(
    area: Area,
    level: str,
    name_vi: str,
    name_en: str,
    parent: Area | None,
    code: str | None,
    has_children: bool,
) -> Area:
    """An area renamed, re-levelled or moved, as the 2025 reorganisation did to many; the same
    rules as a new one, and an area that holds others keeps its depth."""
    changed = replace(new_area(level, name_vi, name_en, parent, code), id=area.id)
    if has_children and TIER[changed.level] != TIER[area.level]:
        raise Rejected("level", "move the areas inside it first: they would no longer fit")
    return changed
