"""Bad orders and bad events are refused with problem details naming the fields, and hold nothing."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests.e2e.ticket_fixtures import (
    api,
    confirmed_booking,
    event_body,
    ga,
    on_sale,
    order,
    seated,
    seats_of,
    somewhere,
)
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"


def orders_of(stack: Stack, event_id: str) -> int:
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM orders WHERE event_id = :e"), {"e": event_id})
        found = int(count.scalar_one())
    engine.dispose()
    return found


ROOM = [  # ten seats sold by seat, and sixty more places the room holds for standing tickets
    {"name": "A", "rows": [{"label": "A", "seats": 10, "category": "standard"}]},
    {"name": "B", "rows": [{"label": "B", "seats": 60, "category": "balcony"}]},
]


def test_bad_orders_are_refused_and_hold_nothing(platform: Stack) -> None:
    place = venue(platform, sections=ROOM, needs_approval=False, free_public_use=True)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    event = on_sale(
        platform,
        [
            ga(50, per_order_limit=4),
            seated(),
            ga(10, sale_ends_at=past, sale_starts_at=(datetime.now(UTC) - timedelta(days=2)).isoformat()),
        ],
        space="room",
        place=place,
    )
    other = on_sale(platform, [seated()], space="room", place=place)
    general, chair, closed = event["types"]
    before = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=10).json()
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"items": [{"ticket_type_id": general, "quantity": 0}]}, 422, "items"),
        ({"items": [{"ticket_type_id": general, "quantity": -3}]}, 422, "items"),
        ({"items": [{"ticket_type_id": general, "quantity": 5}]}, 422, "items"),  # over the per-order limit
        ({"items": [{"ticket_type_id": str(uuid.uuid4()), "quantity": 1}]}, 422, "items"),
        ({"items": [{"ticket_type_id": closed, "quantity": 1}]}, 422, "items"),  # the sale window is over
        ({"items": [{"ticket_type_id": chair, "quantity": 1}]}, 422, "items"),  # seats are chosen by id
        ({"seats": [seats_of(platform, other["id"])[0]["id"]]}, 422, "seats"),
        ({"items": []}, 422, "items"),
        ({"items": [{"ticket_type_id": general, "quantity": "two"}]}, 422, "items"),
        ({"email": "not-an-email", "items": [{"ticket_type_id": general, "quantity": 1}]}, 422, "email"),
    ]
    for body, status, field in cases:
        answer = order(platform, event["id"], **body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.headers["Content-Type"] == PROBLEM and field in answer.json()["errors"], body
    malformed = requests.post(
        api(platform, "/orders"),
        data=b'{"event_id": ',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert (malformed.status_code, malformed.headers["Content-Type"]) == (400, PROBLEM)
    after = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=10).json()
    assert after == before and orders_of(platform, event["id"]) == 0


def test_one_buyer_cannot_hold_a_whole_hall(platform: Stack) -> None:
    event = on_sale(platform, [ga(100, per_order_limit=10)], per_buyer_limit=6)
    item = [{"ticket_type_id": event["types"][0], "quantity": 4}]
    assert order(platform, event["id"], email="greedy@example.vn", items=item).status_code == 201
    again = order(platform, event["id"], email="Greedy@Example.vn", items=item)
    assert again.status_code == 422 and "per buyer" in str(again.json()["errors"])
    assert order(platform, event["id"], email="someone.else@example.vn", items=item).status_code == 201


def test_an_idempotency_key_makes_a_retried_order_hold_once(platform: Stack) -> None:
    event = on_sale(platform, [ga(10)])
    key = {"Idempotency-Key": uuid.uuid4().hex} | somewhere()  # the same guest, retrying
    body: dict[str, Any] = {
        "email": "retry@example.vn",
        "items": [{"ticket_type_id": event["types"][0], "quantity": 2}],
    }
    first = order(platform, event["id"], headers=key, **dict(body))
    second = order(platform, event["id"], headers=key, **dict(body))
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert orders_of(platform, event["id"]) == 1
    changed = order(
        platform,
        event["id"],
        headers=key,
        email="retry@example.vn",
        items=[{**body["items"][0], "quantity": 1}],
    )
    assert changed.status_code == 409


def test_bad_events_are_refused_with_their_faults(platform: Stack) -> None:
    place = venue(platform, needs_approval=False, free_public_use=True)
    booking_id, organiser, booked = confirmed_booking(platform, place)
    body = event_body(booking_id, booked, [ga(500), seated()])  # the hall holds 200 and has no seat map
    late = datetime.fromisoformat(body["sessions"][0]["start"]) + timedelta(days=2)
    body["sessions"].append({"start": late.isoformat(), "end": (late + timedelta(hours=1)).isoformat()})
    answer = requests.post(api(platform, "/events"), headers=organiser, json=body, timeout=10)
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {"ticket_types", "ticket_types.1", "sessions"}
    stranger = requests.post(
        api(platform, "/events"),
        headers=organiser,
        json=event_body(str(uuid.uuid4()), booked, [ga(10)]),
        timeout=10,
    )
    assert stranger.status_code == 422 and "venue_booking_id" in stranger.json()["errors"]
    wrong_category = requests.post(
        api(platform, "/events"),
        headers=organiser,
        json=event_body(booking_id, booked, [ga(10)]) | {"category": "karaoke"},
        timeout=10,
    )
    assert wrong_category.status_code == 422 and "category" in wrong_category.json()["errors"]
