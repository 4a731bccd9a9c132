"""One event on sale, put there through the public APIs the way an organiser does it: a venue with a
free public hall, a booking of the hall (confirmed at once), an event with one general-admission
ticket type, published. The same steps as `tests/e2e/ticket_fixtures.py`, without pytest."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from eventbus.auth import issue_token
from xudong.stack import Stack, jwt_secret, wait_for

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


def _headers(role: str, sub: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + issue_token(jwt_secret(), role, sub)}


def _answer(response: requests.Response, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text}"
        )
    return response.json()


def _venue(stack: Stack, capacity: int) -> str:
    """A fresh venue with one general-admission hall; its id once the booking service knows it."""
    base, staff = f"http://127.0.0.1:{stack.ports.venues}/v1", _headers("staff", "staff-bench")
    tag = uuid.uuid4().hex[:8]
    area = _answer(
        requests.post(
            f"{base}/areas",
            json={"level": "province", "name": {"vi": f"Tỉnh {tag}", "en": f"P {tag}"}},
            headers=staff,
            timeout=10,
        ),
        201,
    )
    hall = {
        "key": "hall",
        "name": {"vi": "Hội trường", "en": "Hall"},
        "layout": {"kind": "general_admission", "capacity": capacity},
        "rules": FREE_PUBLIC_HALL,
    }
    venue = {
        "key": f"bench-{tag}",
        "name": {"vi": f"Nhà văn hóa {tag}", "en": f"House {tag}"},
        "kind": "creative_space",
        "area_id": area["id"],
        "address": "1 Đường Thử",
        "status": "active",
        "funding_model": "public",
        "operator": "UBND",
        "managers": [f"manager-{tag}"],
        "spaces": [hall],
    }
    space_id = str(
        _answer(requests.post(f"{base}/venues", json=venue, headers=staff, timeout=10), 201)["spaces"][0][
            "id"
        ]
    )
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


def on_sale(stack: Stack, quota: int, hold_minutes: int = 60) -> HotEvent:
    """A published event whose one ticket type sells `quota` places, one to ten per order."""
    booking_api = f"http://127.0.0.1:{stack.ports.booking}/v1"
    space_id = _venue(stack, quota)
    organiser = _headers("organiser", f"org-bench-{uuid.uuid4().hex[:6]}")
    start = (datetime.now(UTC) + timedelta(days=20)).replace(hour=10, minute=0, second=0, microsecond=0)
    booking = {
        "space_id": space_id,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=6)).isoformat(),
        "title": "Đêm Chèo",
        "purpose": "performance",
        "expected_attendance": 150,
    }
    booking_id = _answer(
        requests.post(f"{booking_api}/venue-bookings", json=booking, headers=organiser, timeout=10), 202
    )["id"]

    def confirmed() -> bool:
        shown = requests.get(f"{booking_api}/venue-bookings/{booking_id}", headers=organiser, timeout=10)
        return bool(shown.json()["status"] == "confirmed")

    wait_for(confirmed, f"venue booking {booking_id}", timeout=60)
    session = start + timedelta(hours=1)
    event = {
        "venue_booking_id": booking_id,
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
    event_id = _answer(
        requests.post(f"{booking_api}/events", json=event, headers=organiser, timeout=10), 201
    )["id"]
    _answer(
        requests.post(f"{booking_api}/events/{event_id}/publish", json={}, headers=organiser, timeout=10), 200
    )
    shown = _answer(requests.get(f"{booking_api}/events/{event_id}", timeout=10), 200)
    return HotEvent(event_id, shown["ticket_types"][0]["id"], quota)


def places_taken(stack: Stack, event: HotEvent) -> int:
    """What the service says is gone: quota minus what is left (no hold lapses during a run)."""
    booking_api = f"http://127.0.0.1:{stack.ports.booking}/v1"
    left = _answer(requests.get(f"{booking_api}/events/{event.id}/availability", timeout=10), 200)
    return event.quota - int(left["ticket_types"][0]["available"])
