"""Buying tickets end to end: events on confirmed bookings, holds, payment through localstripe with
signed webhooks, e-tickets, expiry, late payment, cancellation and refunds."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.test_venue_payments import pay_with, signed, stripe, webhook
from tests.e2e.ticket_fixtures import (
    DECLINED,
    VISA,
    api,
    booking_events,
    free,
    ga,
    lapse_hold,
    on_sale,
    order,
    order_status,
    pay,
    read_order,
    seated,
    seats_of,
    signed_qr,
)
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_a_paid_order_becomes_tickets_with_codes_qr_images_and_a_printable_page(platform: Stack) -> None:
    event = on_sale(platform, [ga(100, price=150_000)])
    held = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 2}])
    assert held.status_code == 201, held.text
    body = held.json()
    assert body["status"] == "held" and body["total"] == 300_000 and body["token"]
    pay(platform, body)
    paid = order_status(platform, body, "paid")
    assert len(paid["tickets"]) == 2 and len({t["code"] for t in paid["tickets"]}) == 2
    page = requests.get(paid["tickets"][0]["print_url"], timeout=10)
    assert page.status_code == 200 and "Đêm Chèo Xứ Đông" in page.text and "<svg" in page.text
    qr = requests.get(paid["tickets"][0]["qr_url"], timeout=10)
    assert qr.headers["Content-Type"].startswith("image/svg+xml")
    assert ElementTree.fromstring(qr.content).tag == "{http://www.w3.org/2000/svg}svg"  # an <img> shows it


def test_a_free_registration_is_paid_at_once(platform: Stack) -> None:
    event = on_sale(platform, [free(50)])
    held = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}])
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "paid" and len(held.json()["tickets"]) == 1


def test_seats_are_held_by_id_and_sold_once(platform: Stack) -> None:
    event = on_sale(platform, [seated()], space="room")
    seats = seats_of(platform, event["id"])
    assert len(seats) == 10 and all(s["state"] == "available" for s in seats)
    first = order(platform, event["id"], seats=[seats[0]["id"], seats[1]["id"]])
    assert first.status_code == 201, first.text
    second = order(platform, event["id"], seats=[seats[1]["id"], seats[2]["id"]])
    assert second.status_code == 409 and second.json()["seats"] == [seats[1]["id"]]
    states = {s["id"]: s["state"] for s in seats_of(platform, event["id"])}
    assert states[seats[0]["id"]] == "held" and states[seats[2]["id"]] == "available"
    assert read_order(platform, first.json())["seats"][0]["label"] == "A A1"


def stripe_event(intent_id: str, kind: str = "payment_intent.succeeded") -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": kind,
        "data": {"object": {"id": intent_id, "object": "payment_intent"}},
    }


def held_order(stack: Stack, quantity: int = 1, **event_extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    event = on_sale(stack, [ga(20, price=120_000)], **event_extra)
    held = order(stack, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": quantity}])
    assert held.status_code == 201, held.text
    return event, held.json()


def start_payment(stack: Stack, held: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(
        api(stack, f"/orders/{held['id']}/payment"),
        headers={"X-Order-Token": held["token"]},
        json={},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_declined_card_leaves_the_order_held_and_no_tickets(platform: Stack) -> None:
    _, held = held_order(platform)
    intent = start_payment(platform, held)
    assert (intent["amount"], intent["currency"]) == (120_000, "VND")
    assert start_payment(platform, held)["payment_intent_id"] == intent["payment_intent_id"]
    pay_with(platform, intent["payment_intent_id"], DECLINED)
    time.sleep(3)  # localstripe sends its webhooks a second after the fact
    shown = read_order(platform, held)
    assert (shown["status"], shown["tickets"]) == ("held", [])


def test_forged_replayed_and_reordered_webhooks_issue_no_second_set_of_tickets(platform: Stack) -> None:
    _, held = held_order(platform, quantity=2)
    intent = start_payment(platform, held)
    event = stripe_event(intent["payment_intent_id"])
    forged = webhook(platform, *signed(event, secret="whsec_someone_else"))
    assert (forged.status_code, forged.headers["Content-Type"]) == (400, "application/problem+json")
    assert webhook(platform, *signed(event)).json()["outcome"] == "ignored"  # Stripe says: not paid
    pay_with(platform, intent["payment_intent_id"], VISA)
    tickets = order_status(platform, held, "paid")["tickets"]
    assert webhook(platform, *signed(event)).json()["outcome"] == "already applied"
    reordered = stripe_event(intent["payment_intent_id"], "payment_intent.created")
    assert webhook(platform, *signed(reordered)).json()["outcome"] == "ignored"
    assert read_order(platform, held)["tickets"] == tickets and len(tickets) == 2


def test_an_expired_hold_returns_to_sale_and_its_late_payment_is_honoured_while_places_are_free(
    platform: Stack,
) -> None:
    event, held = held_order(platform, quantity=3)
    intent = start_payment(platform, held)
    lapse_hold(platform, held["id"])
    assert read_order(platform, held)["status"] == "expired"  # before the sweeper, too

    def back_on_sale() -> bool:
        engine = sa.create_engine(platform.database_url("booking"))
        with engine.connect() as conn:
            taken = conn.execute(
                sa.text("SELECT taken FROM ticket_types WHERE id = :t"), {"t": event["types"][0]}
            )
            left = taken.scalar_one()
        engine.dispose()
        return bool(left == 0)

    eventually(back_on_sale, timeout=20)
    pay_with(platform, intent["payment_intent_id"], VISA)
    paid = order_status(platform, held, "paid")
    assert len(paid["tickets"]) == 3 and "still free" in paid["reason"]


def test_a_late_payment_for_places_sold_meanwhile_is_refunded_in_full(platform: Stack) -> None:
    event = on_sale(platform, [seated(price=90_000)], space="room")
    seat = seats_of(platform, event["id"])[0]["id"]
    first = order(platform, event["id"], seats=[seat]).json()
    intent = start_payment(platform, first)
    lapse_hold(platform, first["id"])
    second = order(platform, event["id"], seats=[seat])  # the lapsed hold no longer keeps the seat
    assert second.status_code == 201, second.text
    pay_with(platform, intent["payment_intent_id"], VISA)

    def refunded() -> dict[str, Any] | None:
        shown = read_order(platform, first)
        return shown if shown["refunded_amount"] == 90_000 else None

    shown = eventually(refunded, timeout=30)
    assert shown["status"] == "expired" and shown["tickets"] == [] and "refunded in full" in shown["reason"]
    refunds = stripe(platform, "GET", f"/refunds?payment_intent={intent['payment_intent_id']}")["data"]
    assert [r["amount"] for r in refunds] == [90_000]


def test_a_late_payment_takes_back_all_its_places_or_none(platform: Stack) -> None:
    """One of its ticket types sold out meanwhile: the late order is refunded, and the places of its
    other type that it took back on the way are on sale again, not lost."""
    event = on_sale(platform, [ga(1, price=40_000), ga(1, price=60_000)])
    first, last = sorted(event["types"])  # the order takes its types back in this order
    both = [{"ticket_type_id": t, "quantity": 1} for t in event["types"]]
    held = order(platform, event["id"], items=both).json()
    intent = start_payment(platform, held)
    lapse_hold(platform, held["id"])

    def left() -> dict[str, int]:
        shown = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=10).json()
        return {t["id"]: t["available"] for t in shown["ticket_types"]}

    def given_back() -> bool:
        """The sweeper has given the lapsed hold's places back (availability counts them free before)."""
        engine = sa.create_engine(platform.database_url("booking"))
        with engine.connect() as conn:
            taken = conn.execute(
                sa.text("SELECT sum(taken) FROM ticket_types WHERE id IN (:a, :b)"), {"a": first, "b": last}
            )
            back = bool(taken.scalar_one() == 0)
        engine.dispose()
        return back

    eventually(given_back, timeout=20)
    assert order(platform, event["id"], items=[{"ticket_type_id": last, "quantity": 1}]).status_code == 201
    pay_with(platform, intent["payment_intent_id"], VISA)
    eventually(lambda: read_order(platform, held)["refunded_amount"] == 100_000, timeout=30)
    assert left() == {first: 1, last: 0}


def test_cancelling_the_event_refunds_every_paid_order_and_voids_its_tickets(platform: Stack) -> None:
    event = on_sale(platform, [ga(20, price=50_000), free(20)])
    paid = []
    for quantity in (1, 2):
        held = order(
            platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": quantity}]
        )
        pay(platform, held.json())
        paid.append(order_status(platform, held.json(), "paid") | {"token": held.json()["token"]})
    waiting = order(
        platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}]
    ).json()
    registered = order(
        platform, event["id"], items=[{"ticket_type_id": event["types"][1], "quantity": 1}]
    ).json()
    cancelled = requests.post(
        api(platform, f"/events/{event['id']}/cancel"),
        headers=event["organiser"],
        json={"reason": "bão số 3"},
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text
    for was_paid in paid:  # the worker pays the refunds, not the request

        def refunded(was_paid: dict[str, Any] = was_paid) -> bool:
            return bool(read_order(platform, was_paid)["refunded_amount"] > 0)

        eventually(refunded)
        shown = read_order(platform, was_paid)
        assert shown["status"] == "cancelled" and shown["refunded_amount"] == shown["total"]
        assert {t["status"] for t in shown["tickets"]} == {"void"}
    assert read_order(platform, waiting)["status"] == "cancelled"
    assert read_order(platform, registered)["refunded_amount"] == 0
    for was_paid in paid:
        intent = read_intent(platform, was_paid["id"])
        refunds = stripe(platform, "GET", f"/refunds?payment_intent={intent}")["data"]
        assert [r["amount"] for r in refunds] == [was_paid["total"]]
    again = order(platform, event["id"], items=[{"ticket_type_id": event["types"][1], "quantity": 1}])
    assert again.status_code == 422


def read_intent(stack: Stack, order_id: str) -> str:
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.connect() as conn:
        intent = conn.execute(sa.text("SELECT payment_intent_id FROM orders WHERE id = :o"), {"o": order_id})
        found = str(intent.scalar_one())
    engine.dispose()
    return found


def test_a_buyer_cancels_within_the_refund_policy_and_is_refunded(platform: Stack) -> None:
    _, held = held_order(platform, quantity=2)
    pay(platform, held)
    order_status(platform, held, "paid")
    cancelled = requests.post(
        api(platform, f"/orders/{held['id']}/cancel"),
        headers={"X-Order-Token": held["token"]},
        json={},
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    eventually(lambda: read_order(platform, held)["refunded_amount"] == 240_000)  # paid by the worker
    # Refunds only a year ahead: every test event is nearer than that (each booking takes the next
    # day of a counter shared by the whole run, so how near depends on how many ran before).
    far, late = held_order(platform, refund_policy=[{"notice_days": 365, "refund_share": 1.0}])
    starts = datetime.fromisoformat(far["shown"]["sessions"][0]["start"])
    assert starts - datetime.now(UTC) < timedelta(days=365)
    pay(platform, late)
    order_status(platform, late, "paid")
    refused = requests.post(
        api(platform, f"/orders/{late['id']}/cancel"),
        headers={"X-Order-Token": late["token"]},
        json={},
        timeout=30,
    )
    assert refused.status_code == 409 and read_order(platform, late)["status"] == "paid"


def test_an_order_is_read_with_its_token_or_by_its_buyer_and_by_nobody_else(platform: Stack) -> None:
    event = on_sale(platform, [ga(20)])
    buyer = token("organiser", f"buyer-{uuid.uuid4().hex[:6]}")
    held = order(
        platform, event["id"], headers=buyer, items=[{"ticket_type_id": event["types"][0], "quantity": 1}]
    )
    url = api(platform, f"/orders/{held.json()['id']}")
    assert requests.get(url, headers=buyer, timeout=10).status_code == 200
    assert requests.get(url, headers={"X-Order-Token": held.json()["token"]}, timeout=10).status_code == 200
    assert requests.get(url, headers={"X-Order-Token": "guess"}, timeout=10).status_code == 404
    assert requests.get(url, headers=token("organiser", "someone-else"), timeout=10).status_code == 404
    assert requests.get(url, timeout=10).status_code == 404


def test_each_step_of_an_order_is_told_on_booking_events_with_what_notifications_need(
    platform: Stack,
) -> None:
    event = on_sale(platform, [ga(10, price=70_000)])
    held = order(
        platform,
        event["id"],
        email="Lan@Example.vn",
        language="en",
        items=[{"ticket_type_id": event["types"][0], "quantity": 2}],
    ).json()
    pay(platform, held)
    code = order_status(platform, held, "paid")["tickets"][0]["code"]
    scan = {"event_id": event["id"], "qr": signed_qr(code), "gate": "Cổng Đông"}
    requests.post(
        api(platform, "/checkins"), headers=event["organiser"], json=scan, timeout=10
    ).raise_for_status()
    told = booking_events(platform, held["id"], 3)
    assert [e["type"] for e in told] == ["booking.order.held", "booking.order.paid", "booking.tickets.issued"]
    issued = told[2]["data"]
    assert (issued["email"], issued["language"], issued["total"]) == ("lan@example.vn", "en", 140_000)
    assert issued["title"]["vi"] == "Đêm Chèo Xứ Đông" and issued["sessions"] and issued["venue_name"]["en"]
    assert len(issued["tickets"]) == 2 and all(t["qr_url"].endswith("/qr.svg") for t in issued["tickets"])
    checked_in = booking_events(platform, code, 1)[0]
    assert checked_in["type"] == "booking.ticket.checked_in" and checked_in["data"]["gate"] == "Cổng Đông"
    assert booking_events(platform, event["id"], 1)[0]["type"] == "booking.event.published"


def test_a_venue_booking_that_carries_an_event_is_not_cancelled_until_the_event_is(platform: Stack) -> None:
    event = on_sale(platform, [free(10)])
    booking = api(platform, f"/venue-bookings/{event['booking_id']}/cancel")
    refused = requests.post(booking, headers=event["organiser"], json={}, timeout=10)
    assert refused.status_code == 409 and event["id"] in refused.json()["detail"]
    requests.post(
        api(platform, f"/events/{event['id']}/cancel"),
        headers=event["organiser"],
        json={"reason": "x"},
        timeout=30,
    ).raise_for_status()
    assert (
        requests.post(booking, headers=event["organiser"], json={}, timeout=10).json()["status"]
        == "cancelled"
    )
