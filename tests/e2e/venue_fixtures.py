"""Venues, spaces and bookings made through the public APIs, for the cross-service tests."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.identity_events import publish
from xudong.stack import Stack

STAFF = token("staff", "staff-e2e")
ALWAYS_OPEN = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def rules(**overrides: Any) -> dict[str, Any]:
    return {
        "opening_hours": ALWAYS_OPEN,
        "min_duration_minutes": 60,
        "max_duration_minutes": 600,
        "lead_time_hours": 0,
        "buffer_minutes": 30,
        "rate": {"unit": "hour", "amount": 500_000},
        "deposit_share": 0.3,
        "needs_approval": True,
        "free_public_use": False,
        "cancellation_policy": [
            {"notice_days": 7, "refund_share": 1.0},
            {"notice_days": 0, "refund_share": 0.5},
        ],
    } | overrides


ONE_ROW = [{"name": "A", "rows": [{"label": "A", "seats": 10, "category": "standard"}]}]


def new_area(stack: Stack, tag: str, level: str = "province", within: str | None = None) -> dict[str, Any]:
    """A fresh area named by `tag` (a province unless `level` and `within` say otherwise)."""
    area = requests.post(
        f"http://127.0.0.1:{stack.ports.venues}/v1/areas",
        json={"level": level, "name": {"vi": f"Nơi {tag}", "en": f"Place {tag}"}, "parent_id": within},
        headers=STAFF,
        timeout=10,
    )
    return dict(area.json())


def venue_body(key: str, name: dict[str, str], area_id: str, spaces: list[dict[str, Any]]) -> dict[str, Any]:
    """What staff send to register an active public creative space with these spaces."""
    return {
        "key": key,
        "name": name,
        "kind": "creative_space",
        "area_id": area_id,
        "address": "1 Đường Thử",
        "status": "active",
        "funding_model": "public",
        "operator": "UBND",
        "spaces": spaces,
    }


def venue(
    stack: Stack,
    hall_capacity: int = 200,
    sections: list[dict[str, Any]] | None = None,
    level: str = "province",
    within: str | None = None,
    name: str = "Nhà văn hóa",
    manager: str | None = None,
    **space_rules: Any,
) -> dict[str, Any]:
    """A fresh venue, in a fresh area (a province unless `level` and `within` say otherwise), with
    one general-admission hall and one seated room (one row of ten seats unless `sections` says
    otherwise), run by a fresh manager unless `manager` names one (assigned by the identity
    service's event); returned once the booking service has heard of its spaces and the venues
    service of its manager."""
    base = f"http://127.0.0.1:{stack.ports.venues}/v1"
    tag = uuid.uuid4().hex[:8]
    manager = manager or f"manager-{tag}"
    area = new_area(stack, tag, level, within)
    body = venue_body(
        f"test-{tag}",
        {"vi": f"{name} {tag}", "en": f"House {tag}"},
        area["id"],
        [
            {
                "key": "hall",
                "name": {"vi": "Hội trường", "en": "Hall"},
                "layout": {"kind": "general_admission", "capacity": hall_capacity},
                "rules": rules(**space_rules),
            },
            {
                "key": "room",
                "name": {"vi": "Phòng", "en": "Room"},
                "layout": {"kind": "seated", "sections": sections or ONE_ROW},
                "rules": rules(**space_rules),
            },
        ],
    )
    answer = requests.post(f"{base}/venues", json=body, headers=STAFF, timeout=10)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    booking_knows(stack, [s["id"] for s in made["spaces"]])
    assign_manager(stack, manager, made["id"])
    made["manager_id"] = manager
    made["manager"] = token("venue_manager", made["manager_id"], made["id"])
    made["hall"] = next(s for s in made["spaces"] if s["key"] == "hall")
    made["room"] = next(s for s in made["spaces"] if s["key"] == "room")
    return dict(made)


def booking_knows(stack: Stack, space_ids: list[str]) -> None:
    """Back once the booking service has heard of these spaces (venues.space.published)."""
    engine = sa.create_engine(stack.database_url("booking"))

    def heard() -> bool:
        with engine.connect() as conn:
            known = conn.execute(
                sa.text("SELECT count(*) FROM spaces WHERE id = ANY(:ids)"), {"ids": space_ids}
            )
            return bool(known.scalar_one() == len(space_ids))

    heard.__doc__ = f"booking knows the spaces {space_ids}"
    try:
        eventually(heard, timeout=30)
    finally:
        engine.dispose()


def night_market(stack: Stack, codes: tuple[str, ...], tag: str) -> dict[str, Any]:
    """A fresh night market in a fresh area: one space of 3 × 3 m plots in a row, 150.000 ₫ a
    night each, requests taken at once (no approval)."""
    area = new_area(stack, tag)
    plots = [
        {"code": c, "width_m": 3, "depth_m": 3, "x": i * 3, "y": 0, "price_per_night": 150_000}
        for i, c in enumerate(codes)
    ]
    body = venue_body(
        f"market-{tag}",
        {"vi": f"Chợ đêm {tag}", "en": f"Night market {tag}"},
        area["id"],
        [
            {
                "key": "stalls",
                "name": {"vi": "Gian hàng", "en": "Stalls"},
                "layout": {"kind": "plots", "plots": plots},
                "rules": rules(
                    rate={"unit": "night", "amount": 200_000},
                    needs_approval=False,
                    buffer_minutes=0,
                    min_duration_minutes=60,
                ),
            }
        ],
    ) | {"kind": "night_market", "address": "Phố Bạch Đằng"}
    made = requests.post(
        f"http://127.0.0.1:{stack.ports.venues}/v1/venues", json=body, headers=STAFF, timeout=10
    )
    assert made.status_code == 201, made.text
    booking_knows(stack, [s["id"] for s in made.json()["spaces"]])
    return dict(made.json())


def managers_of(stack: Stack, venue_id: str) -> list[str]:
    """Who the venues service holds as the venue's managers (its read model of identity's word)."""
    engine = sa.create_engine(stack.database_url("venues"))
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT user_id FROM venue_managers WHERE venue_id = :v ORDER BY user_id")
            return list(conn.execute(query, {"v": venue_id}).scalars())
    finally:
        engine.dispose()


def assign_manager(stack: Stack, user_id: str, venue_id: str, assigned: bool = True) -> None:
    """The identity service assigns (or unassigns) a venue's manager, as its relay sends it; back
    once the venues service holds it, so that the slot events that follow name them (or not)."""
    change = "assigned" if assigned else "unassigned"
    publish(stack, f"identity.manager.{change}", user_id, {"user_id": user_id, "venue_id": venue_id})

    def followed() -> bool:
        return (user_id in managers_of(stack, venue_id)) == assigned

    followed.__doc__ = f"venues holds {user_id} as {'a' if assigned else 'no'} manager of {venue_id}"
    eventually(followed, timeout=30)


def slot(days: int = 10, hour: int = 9, hours: int = 2) -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start.isoformat(), (start + timedelta(hours=hours)).isoformat()


def request_body(space_id: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "start": start,
        "end": end,
        "title": "Đêm Chèo",
        "purpose": "performance",
        "expected_attendance": 150,
    } | extra


def booking_status(
    stack: Stack, booking_id: str, headers: dict[str, str], *wanted: str, timeout: float = 60
) -> dict[str, Any]:
    url = f"http://127.0.0.1:{stack.ports.booking}/v1/venue-bookings/{booking_id}"

    def reached() -> dict[str, Any] | None:
        shown = requests.get(url, headers=headers, timeout=10).json()
        return shown if shown["status"] in wanted else None

    reached.__doc__ = f"booking {booking_id} is {' or '.join(wanted)}"
    return eventually(reached, timeout=timeout)
