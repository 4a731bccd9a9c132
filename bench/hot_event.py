"""Events on sale, put there through the public APIs the way an organiser does it: a venue with a
free public hall, a booking of the hall (confirmed at once), an event on the booking, published.
The same steps as `tests/e2e/ticket_fixtures.py`, without pytest. `on_sale` makes the one hot event
of `bench/holds.py`; `bench/search.py` builds its catalogue from the same steps."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from booking.domain.ticketing import fold
from xudong.processes import wait_for
from xudong.stack import Stack

ALWAYS_OPEN = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
FREE_PUBLIC_HALL = {
    "opening_hours": ALWAYS_OPEN,
    "min_duration_minutes": 60,
    "max_duration_minutes": 600,
    "lead_time_hours": 0,
    "buffer_minutes": 30,
    "rate": {"unit": "hour", "amount": 500_000},
    "deposit_share": 0.3,
    "needs_approval": False,
    "free_public_use": True,
    "cancellation_policy": [{"notice_days": 0, "refund_share": 1.0}],
}


@dataclass(frozen=True)
class HotEvent:
    id: str
    ticket_type_id: str
    quota: int


def headers(role: str, sub: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + Stack().token(role, sub)}


STAFF = headers("staff", "staff-bench")


def answer(response: requests.Response, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text}"
        )
    return response.json()


def area(stack: Stack, level: str, name: str, within: str | None = None) -> str:
    """A new area of the venues service's map, inside `within` unless it is a province; its id."""
    body = {"level": level, "name": {"vi": name, "en": fold(name).title()}, "parent_id": within}
    url = f"http://127.0.0.1:{stack.ports.venues}/v1/areas"
    return str(answer(requests.post(url, json=body, headers=STAFF, timeout=10), 201)["id"])


def venue(stack: Stack, capacity: int, area_id: str | None = None, kind: str = "creative_space") -> str:
    """A fresh venue (in a fresh province unless `area_id` says where) with one general-admission
    hall; the hall's id once the booking service knows it."""
    tag = uuid.uuid4().hex[:8]
    hall = {
        "key": "hall",
        "name": {"vi": "Hội trường", "en": "Hall"},
        "layout": {"kind": "general_admission", "capacity": capacity},
        "rules": FREE_PUBLIC_HALL,
    }
    body = {
        "key": f"bench-{tag}",
        "name": {"vi": f"Nhà văn hóa {tag}", "en": f"House {tag}"},
        "kind": kind,
        "area_id": area_id or area(stack, "province", f"Tỉnh {tag}"),
        "address": "1 Đường Thử",
        "status": "active",
        "funding_model": "public",
        "operator": "UBND",
        "spaces": [hall],
    }
    url = f"http://127.0.0.1:{stack.ports.venues}/v1/venues"
    space_id = str(answer(requests.post(url, json=body, headers=STAFF, timeout=10), 201)["spaces"][0]["id"])
    engine = sa.create_engine(stack.database_url("booking"))
    try:

        def booking_knows_the_space() -> bool:
            with engine.connect() as conn:
                query = sa.text("SELECT count(*) FROM spaces WHERE id = :id")
                return bool(conn.execute(query, {"id": space_id}).scalar_one())

        wait_for(booking_knows_the_space, "the booking service's copy of the bench venue", timeout=60)
    finally:
        engine.dispose()
    return space_id


@dataclass(frozen=True)
class Booking:
    id: str
    organiser: dict[str, str]  # the organiser's headers
    start: datetime


def ask_booking(stack: Stack, space_id: str, start: datetime, hours: int) -> Booking:
    """A booking of a free public hall asked for by a new organiser; confirmed soon after, unasked."""
    organiser = headers("organiser", f"org-bench-{uuid.uuid4().hex[:6]}")
    body = {
        "space_id": space_id,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=hours)).isoformat(),
        "title": "Đêm Chèo",
        "purpose": "performance",
        "expected_attendance": 150,
    }
    url = f"http://127.0.0.1:{stack.ports.booking}/v1/venue-bookings"
    return Booking(
        answer(requests.post(url, json=body, headers=organiser, timeout=10), 202)["id"], organiser, start
    )


def publish(stack: Stack, booking: Booking, event: dict[str, Any]) -> dict[str, Any]:
    """The event on the booking, once the booking is confirmed, published; as anyone sees it."""
    booking_api = f"http://127.0.0.1:{stack.ports.booking}/v1"

    def confirmed() -> bool:
        shown = requests.get(
            f"{booking_api}/venue-bookings/{booking.id}", headers=booking.organiser, timeout=10
        )
        return bool(shown.json()["status"] == "confirmed")

    wait_for(confirmed, f"venue booking {booking.id}", timeout=60)
    body = {"venue_booking_id": booking.id, **event}
    made = requests.post(f"{booking_api}/events", json=body, headers=booking.organiser, timeout=10)
    event_id = answer(made, 201)["id"]
    published = requests.post(
        f"{booking_api}/events/{event_id}/publish", json={}, headers=booking.organiser, timeout=10
    )
    answer(published, 200)
    return dict(answer(requests.get(f"{booking_api}/events/{event_id}", timeout=10), 200))


def on_sale(stack: Stack, quota: int, hold_minutes: int = 60) -> HotEvent:
    """A published event whose one ticket type sells `quota` places, one to ten per order."""
    start = (datetime.now(UTC) + timedelta(days=20)).replace(hour=10, minute=0, second=0, microsecond=0)
    booking = ask_booking(stack, venue(stack, quota), start, hours=6)
    session = start + timedelta(hours=1)
    event = {
        "title": {"vi": "Đêm Chèo Xứ Đông", "en": "A night of Chèo"},
        "category": "cheo",
        "sessions": [{"start": session.isoformat(), "end": (session + timedelta(hours=2)).isoformat()}],
        "hold_minutes": hold_minutes,  # no hold lapses, and no place comes back, during a run
        "ticket_types": [
            {
                "name": {"vi": "Vé thường", "en": "General admission"},
                "kind": "general_admission",
                "price": 150_000,
                "quota": quota,
            }
        ],
    }
    shown = publish(stack, booking, event)
    return HotEvent(shown["id"], shown["ticket_types"][0]["id"], quota)


def places_taken(stack: Stack, event: HotEvent) -> int:
    """What the service says is gone: quota minus what is left (no hold lapses during a run)."""
    booking_api = f"http://127.0.0.1:{stack.ports.booking}/v1"
    left = answer(requests.get(f"{booking_api}/events/{event.id}/availability", timeout=10), 200)
    return event.quota - int(left["ticket_types"][0]["available"])
