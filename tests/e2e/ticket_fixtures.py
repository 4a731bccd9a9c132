"""Events on sale, orders and payments made through the public APIs, for the ticketing tests."""

import itertools
import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import requests
import sqlalchemy as sa

from booking.config import ticket_signing_key
from booking.domain.ticketing import qr_payload
from conftest import eventually, records, token
from tests.e2e.test_venue_payments import pay_with
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack

VISA, DECLINED = "4242424242424242", "4000000000000341"


def api(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.booking}/v1{path}"


def ga(quota: int, price: int = 150_000, **extra: Any) -> dict[str, Any]:
    name = {"vi": "Vé thường", "en": "General admission"}
    return {"name": name, "kind": "general_admission", "price": price, "quota": quota} | extra


def seated(category: str = "standard", price: int = 200_000, **extra: Any) -> dict[str, Any]:
    name = {"vi": f"Ghế {category}", "en": f"Seat {category}"}
    return {"name": name, "kind": "seated", "price": price, "seat_category": category} | extra


def free(quota: int, **extra: Any) -> dict[str, Any]:
    name = {"vi": "Đăng ký miễn phí", "en": "Free registration"}
    return {"name": name, "kind": "free", "price": 0, "quota": quota} | extra


DAYS_AHEAD = itertools.count(20)  # each booking on its own day, so that two never overlap


def confirmed_booking(
    stack: Stack, place: dict[str, Any], space: str = "hall", organiser: dict[str, str] | None = None
) -> tuple[str, dict[str, str], datetime]:
    """A booking of the venue's free public space from 10:00 to 16:00 UTC, confirmed at once (no
    approval, no fee); its id, its organiser (a new one unless given) and when it starts."""
    organiser = organiser or token("organiser", f"org-tix-{uuid.uuid4().hex[:6]}")
    start, end = slot(days=next(DAYS_AHEAD), hour=10, hours=6)
    answer = requests.post(
        api(stack, "/venue-bookings"),
        headers=organiser,
        json=request_body(place[space]["id"], start, end),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    booking_status(stack, answer.json()["id"], organiser, "confirmed")
    return str(answer.json()["id"]), organiser, datetime.fromisoformat(start)


def event_body(
    booking_id: str, booked: datetime, types: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """An event of two hours, an hour into the booked time."""
    start = booked + timedelta(hours=1)
    return {
        "venue_booking_id": booking_id,
        "title": {"vi": "Đêm Chèo Xứ Đông", "en": "A night of Chèo"},
        "description": {"vi": "Vở Quan Âm Thị Kính", "en": "The play Quan Âm Thị Kính"},
        "category": "cheo",
        "sessions": [{"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}],
        "ticket_types": types,
    } | extra


def on_sale(
    stack: Stack,
    types: list[dict[str, Any]],
    space: str = "hall",
    place: dict[str, Any] | None = None,
    organiser: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A published event on a fresh venue's space: its id, ticket type ids, organiser and venue."""
    place = place or venue(stack, needs_approval=False, free_public_use=True)
    booking_id, organiser, booked = confirmed_booking(stack, place, space, organiser)
    created = requests.post(
        api(stack, "/events"),
        headers=organiser,
        json=event_body(booking_id, booked, types, **extra),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    published = requests.post(
        api(stack, f"/events/{event_id}/publish"), headers=organiser, json={}, timeout=10
    )
    assert published.status_code == 200, published.text
    shown = requests.get(api(stack, f"/events/{event_id}"), timeout=10).json()
    return {
        "id": event_id,
        "types": [t["id"] for t in shown["ticket_types"]],
        "organiser": organiser,
        "venue": place,
        "booking_id": booking_id,
        "shown": shown,
    }


def signed_qr(code: str) -> str:
    """What the ticket's QR image says, as a scanner at the door reads it."""
    return qr_payload(ticket_signing_key({"XUDONG_ENV": "development"}), code)


def seats_of(stack: Stack, event_id: str) -> list[dict[str, Any]]:
    """Every seat of the event and its state, page after page."""
    seats: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        answer = requests.get(api(stack, f"/events/{event_id}/seats"), params=page, timeout=60)
        assert answer.status_code == 200, answer.text
        seats += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return seats


def somewhere() -> dict[str, str]:
    """A buyer's own address, as the reverse proxy the tests stand for passes it on: each buyer is
    a client of its own for the per-client rate limits."""
    return {"X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"}


def order(
    stack: Stack, event_id: str, headers: dict[str, str] | None = None, **body: Any
) -> requests.Response:
    email = body.pop("email", f"buyer-{uuid.uuid4().hex[:8]}@example.vn")
    return requests.post(
        api(stack, "/orders"),
        json={"event_id": event_id, "email": email} | body,
        headers=somewhere() | (headers or {}),
        timeout=30,
    )


def read_order(stack: Stack, held: dict[str, Any]) -> dict[str, Any]:
    answer = requests.get(
        api(stack, f"/orders/{held['id']}"), headers={"X-Order-Token": held["token"]}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def pay(stack: Stack, held: dict[str, Any], card: str = VISA) -> dict[str, Any]:
    """What the buyer's browser does: a PaymentIntent from us, then the card straight to Stripe."""
    intent = requests.post(
        api(stack, f"/orders/{held['id']}/payment"),
        headers={"X-Order-Token": held["token"]},
        json={},
        timeout=30,
    )
    assert intent.status_code == 200, intent.text
    return pay_with(stack, intent.json()["payment_intent_id"], card)


def order_status(stack: Stack, held: dict[str, Any], *wanted: str, timeout: float = 60) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        shown = read_order(stack, held)
        return shown if shown["status"] in wanted else None

    reached.__doc__ = f"order {held['id']} is {' or '.join(wanted)}"
    return eventually(reached, timeout=timeout)


def lapse_hold(stack: Stack, order_id: str) -> None:
    """The clock moves on: the hold's time is over, for the order and for its seats (the sweeper
    does the rest, as it would)."""
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.begin() as conn:
        for moved in (
            "UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = :id",
            "UPDATE seats SET held_until = now() - interval '1 second' WHERE order_id = :id AND NOT sold",
        ):
            conn.execute(sa.text(moved), {"id": order_id})
    engine.dispose()


def booking_events(stack: Stack, subject: str, wanted: int, timeout: float = 30) -> list[dict[str, Any]]:
    """The events on `booking.events` about one subject (an order, a ticket), in order, once at
    least `wanted` of them have arrived."""

    def about(message: Any) -> bool:
        return bool(message.key and message.key.decode() == subject)

    about.__doc__ = f"about {subject}"
    return [json.loads(m.value) for m in records(stack, "booking.events", about, wanted, timeout)]
