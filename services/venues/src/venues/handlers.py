"""Use cases of the venues service, one short function each."""

from sqlalchemy.exc import IntegrityError

from venues.domain.areas import Area, AreaRejected, new_area
from venues.unit_of_work import VenuesUnitOfWork

SIBLING_NAMED = "an area of that name already sits there"


class NotFound(LookupError):
    pass


def create_area(
    uow: VenuesUnitOfWork, level: str, name_vi: str, name_en: str, parent_id: str | None, code: str | None
) -> Area:
    with uow:
        parent = uow.get_area(parent_id) if parent_id else None
        if parent_id and parent is None:
            raise AreaRejected("parent_id", "no such area")
        area = new_area(level, name_vi, name_en, parent, code)
        if uow.sibling_named(area.parent_id, area.name_vi):
            raise AreaRejected("name", SIBLING_NAMED)
        uow.add_area(area)
        uow.publish(
            "venues.area.created",
            area.id,
            {
                "area_id": area.id,
                "parent_id": area.parent_id,
                "level": area.level,
                "name": {"vi": area.name_vi, "en": area.name_en},
            },
        )
        try:
            uow.commit()
        except IntegrityError as exc:  # a concurrent request took the name first
            raise AreaRejected("name", SIBLING_NAMED) from exc
        return area


def get_area(uow: VenuesUnitOfWork, area_id: str) -> Area:
    with uow:
        area = uow.get_area(area_id)
    if area is None:
        raise NotFound(area_id)
    return area


def list_areas(uow: VenuesUnitOfWork) -> list[Area]:
    with uow:
        return uow.list_areas()
