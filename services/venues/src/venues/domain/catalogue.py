"""Venues and their bookable spaces: what a space can hold, and the rules its bookings follow."""

from dataclasses import dataclass, field
from typing import Any

from venues.domain import Rejected

KINDS = (
    "theatre",
    "cinema",
    "walking_street",
    "night_market",
    "food_street",
    "museum",
    "sports_venue",
    "heritage_site",
    "eco_tourism_site",
    "craft_village",
    "creative_space",
)
STATUSES = ("active", "under_construction", "closed")
FUNDING_MODELS = ("public", "socialised", "ppp")
LAYOUT_KINDS = ("seated", "general_admission", "plots")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Seat:
    section: str
    row: str
    number: int
    category: str
    accessible: bool

    @property
    def label(self) -> str:
        return f"{self.section} {self.row}{self.number}"


def seats_of(layout: dict[str, Any]) -> list[Seat]:
    """Every seat of a seated layout, expanded from its rows."""
    return [
        Seat(section["name"], row["label"], n, row["category"], n in row.get("accessible", []))
        for section in layout.get("sections", [])
        for row in section["rows"]
        for n in range(1, row["seats"] + 1)
    ]


def capacity_of(layout: dict[str, Any]) -> int:
    if layout["kind"] == "seated":
        return len(seats_of(layout))
    if layout["kind"] == "plots":
        return len(layout["plots"])
    return int(layout["capacity"])


@dataclass(frozen=True)
class Space:
    id: str
    venue_id: str
    key: str
    name_vi: str
    name_en: str
    layout: dict[str, Any]
    rules: dict[str, Any]
    plot_ids: dict[str, str] = field(default_factory=dict)  # code → id

    @property
    def layout_kind(self) -> str:
        return str(self.layout["kind"])

    @property
    def capacity(self) -> int:
        return capacity_of(self.layout)

    @property
    def buffer_minutes(self) -> int:
        return int(self.rules["buffer_minutes"])


def check_layout(layout: dict[str, Any]) -> None:
    if layout["kind"] == "seated":
        labels = [seat.label for seat in seats_of(layout)]
        if not labels:
            raise Rejected("layout", "a seated layout needs at least one seat")
        if len(set(labels)) != len(labels):
            raise Rejected("layout", "two rows of a section share a label")
    if layout["kind"] == "plots":
        codes = [p["code"] for p in layout["plots"]]
        if not codes or len(set(codes)) != len(codes):
            raise Rejected("layout", "plots need codes, each used once")


def check_rules(rules: dict[str, Any]) -> None:
    for day, intervals in rules["opening_hours"].items():
        for start, end in intervals:
            if start == end:  # one that closes before it opens runs past midnight
                raise Rejected("rules", f"on {day} an opening interval closes when it opens")
    if rules["min_duration_minutes"] > rules["max_duration_minutes"]:
        raise Rejected("rules", "the minimum duration exceeds the maximum")
