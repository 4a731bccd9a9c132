"""Sold out: buyers queue; places that come back are offered in order, held for the next in line
with a link that pays for them, and passed on when an offer lapses."""

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import sqlalchemy as sa

from booking.config import waiting_per_minute
from conftest import eventually
from tests.e2e.ticket_fixtures import (
    api,
    booking_events,
    ga,
    lapse_hold,
    on_sale,
    order,
    order_status,
    pay,
    read_order,
    seated,
    seats_of,
    somewhere,
)
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def join(
    stack: Stack, event_id: str, type_id: str, email: str, quantity: int, client: dict[str, str] | None = None
) -> requests.Response:
    body = {"ticket_type_id": type_id, "email": email, "quantity": quantity, "language": "en"}
    url = api(stack, f"/events/{event_id}/waiting-list")
    return requests.post(url, json=body, headers=client or somewhere(), timeout=10)


def entries(stack: Stack, type_id: str) -> list[tuple[str, str]]:
    """(email, status) of every entry of a ticket type, oldest first."""
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT email, status FROM waiting_list WHERE ticket_type_id = :t ORDER BY created_at"),
            {"t": type_id},
        )
        found = [(r.email, r.status) for r in rows]
    engine.dispose()
    return found


def refused_on(answer: requests.Response, status: int, field: str) -> bool:
    return (
        answer.status_code == status
        and answer.headers["Content-Type"] == "application/problem+json"
        and field in answer.json()["errors"]
    )


def offer_to(stack: Stack, entry_id: str) -> dict[str, Any]:
    """The offer as the buyer receives it: the `booking.waitlist.offered` event, whose link carries
    the held order's id and token."""

    def order_of_entry() -> str | None:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text("SELECT order_id FROM waiting_list WHERE id = :e"), {"e": entry_id}
            ).first()
        return str(row.order_id) if row and row.order_id else None

    engine = sa.create_engine(stack.database_url("booking"))
    order_id = eventually(order_of_entry, timeout=30)
    engine.dispose()
    offered = next(e for e in booking_events(stack, order_id, 2) if e["type"] == "booking.waitlist.offered")
    url = urlparse(offered["data"]["order_url"])
    return {"id": url.path.rsplit("/", 1)[-1], "token": parse_qs(url.query)["token"][0], "event": offered}


def test_returned_places_are_offered_in_order_and_paying_the_offer_accepts_it(platform: Stack) -> None:
    event = on_sale(platform, [ga(3, price=80_000)])
    type_id = event["types"][0]
    first = order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 3}]).json()
    early_entry = join(platform, event["id"], type_id, "early@example.vn", 2)
    assert early_entry.status_code == 201 and early_entry.json()["position"] == 1
    late = join(platform, event["id"], type_id, "late@example.vn", 1)
    assert late.status_code == 201 and late.json()["position"] == 2
    sold_out = order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 1}])
    assert sold_out.status_code == 409  # what comes back goes to the waiting list first
    lapse_hold(platform, first["id"])
    early = offer_to(platform, early_entry.json()["id"])
    assert (
        early["event"]["data"]["email"] == "early@example.vn" and early["event"]["data"]["language"] == "en"
    )
    shown = read_order(platform, early)
    assert (shown["status"], shown["items"][0]["quantity"]) == ("held", 2)
    pay(platform, early)
    assert len(order_status(platform, early, "paid")["tickets"]) == 2
    late_offer = offer_to(platform, late.json()["id"])  # the third place went to the next in line
    assert read_order(platform, late_offer)["items"][0]["quantity"] == 1


def test_a_lapsed_offer_passes_to_the_next_in_line_with_seats(platform: Stack) -> None:
    event = on_sale(platform, [seated(price=60_000)], space="room")
    seats = [s["id"] for s in seats_of(platform, event["id"])]
    everything = order(platform, event["id"], seats=seats[:10], email="all@example.vn")
    assert everything.status_code == 201, everything.text
    pay(platform, everything.json())
    order_status(platform, everything.json(), "paid")
    first = join(platform, event["id"], event["types"][0], "first@example.vn", 1).json()
    second = join(platform, event["id"], event["types"][0], "second@example.vn", 1).json()
    buyer = everything.json()
    requests.post(
        api(platform, f"/orders/{buyer['id']}/cancel"),
        headers={"X-Order-Token": buyer["token"]},
        json={},
        timeout=30,
    ).raise_for_status()
    offer = offer_to(platform, first["id"])
    assert len(read_order(platform, offer)["seats"]) == 1
    lapse_hold(platform, offer["id"])
    assert read_order(platform, offer_to(platform, second["id"]))["status"] == "held"


def test_joining_is_refused_while_places_are_left(platform: Stack) -> None:
    event = on_sale(platform, [ga(5)])
    refused = join(platform, event["id"], event["types"][0], "eager@example.vn", 1)
    assert refused.status_code == 409 and refused.headers["Content-Type"] == "application/problem+json"


def test_one_email_waits_once_for_a_ticket_type(platform: Stack) -> None:
    event = on_sale(platform, [ga(1)])
    type_id = event["types"][0]
    assert order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 1}]).status_code == 201
    assert join(platform, event["id"], type_id, "once@example.vn", 1).status_code == 201
    again = join(platform, event["id"], type_id, "Once@Example.vn", 2)  # the same email, spelt otherwise
    assert refused_on(again, 422, "email"), again.text
    assert entries(platform, type_id) == [("once@example.vn", "waiting")]


def test_one_client_joins_waiting_lists_only_so_often_a_minute(platform: Stack) -> None:
    event = on_sale(platform, [ga(1)])
    type_id = event["types"][0]
    assert order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 1}]).status_code == 201
    client, allowed = somewhere(), waiting_per_minute()
    # however the minute falls, a client is refused before it has two minutes' worth
    answers = []
    for n in range(2 * allowed + 1):
        answers.append(join(platform, event["id"], type_id, f"many-{n}@example.vn", 1, client))
        if answers[-1].status_code != 201:
            break
    last = answers[-1]
    assert last.status_code == 429 and last.headers["Content-Type"] == "application/problem+json", last.text
    assert 1 <= int(last.headers["Retry-After"]) <= 60
    assert len(entries(platform, type_id)) == len(answers) - 1  # the refusal queued nobody
    assert join(platform, event["id"], type_id, "other@example.vn", 1).status_code == 201  # another client


def test_what_an_email_holds_and_waits_for_stays_within_the_tickets_per_buyer(platform: Stack) -> None:
    event = on_sale(platform, [ga(3)], per_buyer_limit=3)
    type_id = event["types"][0]
    one = [{"ticket_type_id": type_id, "quantity": 1}]
    mine = order(
        platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 2}], email="me@example.vn"
    )
    assert mine.status_code == 201 and order(platform, event["id"], items=one).status_code == 201
    too_many = join(platform, event["id"], type_id, "me@example.vn", 2)  # 2 held + 2 offered > 3
    assert refused_on(too_many, 422, "quantity"), too_many.text
    assert entries(platform, type_id) == []
    assert join(platform, event["id"], type_id, "me@example.vn", 1).status_code == 201


def test_an_offer_that_would_pass_the_tickets_per_buyer_is_not_made(platform: Stack) -> None:
    event = on_sale(platform, [ga(1), ga(5)], per_buyer_limit=2)
    scarce, plenty = event["types"]
    first = order(platform, event["id"], items=[{"ticket_type_id": scarce, "quantity": 1}]).json()
    assert join(platform, event["id"], scarce, "greedy@example.vn", 1).status_code == 201
    later = order(
        platform, event["id"], items=[{"ticket_type_id": plenty, "quantity": 2}], email="greedy@example.vn"
    )
    assert later.status_code == 201, later.text  # bought meanwhile: their whole share
    lapse_hold(platform, first["id"])
    eventually(lambda: entries(platform, scarce) == [("greedy@example.vn", "lapsed")], timeout=30)
    left = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=10).json()
    assert next(t for t in left["ticket_types"] if t["id"] == scarce)["available"] == 1  # back on sale
