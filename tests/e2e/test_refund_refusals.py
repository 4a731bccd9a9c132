"""A refund Stripe refuses waits for staff, alone: the cancellation that owed it answers as it
should, every other refund is paid, every lapsed hold goes back to sale, and staff see it."""

from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.test_ticket_sales import read_intent
from tests.e2e.test_venue_payments import pay_with, stripe
from tests.e2e.ticket_fixtures import (
    DECLINED,
    api,
    booking_events,
    ga,
    lapse_hold,
    on_sale,
    order,
    order_status,
    pay,
    read_order,
)
from xudong.stack import Stack

pytestmark = pytest.mark.stack
STAFF = token("staff", "refund-desk")
PRICE = 70_000


def failed_payment(stack: Stack) -> str:
    """A PaymentIntent whose card was declined: localstripe, as Stripe, refuses to refund it."""
    intent = stripe(stack, "POST", "/payment_intents", amount=PRICE, currency="vnd")
    pay_with(stack, intent["id"], DECLINED)
    return str(intent["id"])


def charged_elsewhere(stack: Stack, order_id: str) -> None:
    """What a charge disputed or refunded in Stripe's dashboard is to us: Stripe will refuse its
    refund. The order is pointed at a payment Stripe refuses to refund, as that charge would be."""
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE orders SET payment_intent_id = :pi WHERE id = :id"),
            {"pi": failed_payment(stack), "id": order_id},
        )
    engine.dispose()


def taken(stack: Stack, type_id: str) -> int:
    """What holds and paid orders have of a ticket type's quota, as the database counts it."""
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT taken FROM ticket_types WHERE id = :t"), {"t": type_id})
        found = int(count.scalar_one())
    engine.dispose()
    return found


def paid_orders(stack: Stack, event: dict[str, Any], count: int) -> list[dict[str, Any]]:
    placed = []
    for _ in range(count):
        held = order(stack, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}])
        assert held.status_code == 201, held.text
        pay(stack, held.json())
        order_status(stack, held.json(), "paid")
        placed.append(held.json())
    return placed


def needing_attention(stack: Stack, headers: dict[str, str]) -> requests.Response:
    return requests.get(
        api(stack, "/refunds"),
        params={"state": "needs_attention", "limit": "200"},
        headers=headers,
        timeout=10,
    )


def test_a_refused_refund_waits_for_staff_and_every_other_refund_and_hold_goes_on(platform: Stack) -> None:
    event = on_sale(platform, [ga(20, price=PRICE)])
    refused, *others = paid_orders(platform, event, 3)
    charged_elsewhere(platform, refused["id"])
    cancelled = requests.post(
        api(platform, f"/orders/{refused['id']}/cancel"),
        headers={"X-Order-Token": refused["token"]},
        json={},
        timeout=30,
    )
    assert cancelled.status_code == 200, cancelled.text  # it committed: the answer says so
    assert cancelled.json()["status"] == "cancelled"
    lapsing = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 4}])
    lapse_hold(platform, lapsing.json()["id"])
    eventually(lambda: taken(platform, event["types"][0]) == len(others), timeout=20)  # back on sale
    called_off = requests.post(
        api(platform, f"/events/{event['id']}/cancel"),
        headers=event["organiser"],
        json={"reason": "mưa bão"},
        timeout=30,
    )
    assert called_off.status_code == 200, called_off.text
    for paid in others:

        def refunded(paid: dict[str, Any] = paid) -> bool:
            return bool(read_order(platform, paid)["refunded_amount"] == PRICE)

        eventually(refunded, timeout=30)
    assert read_order(platform, lapsing.json())["status"] == "expired"
    assert (
        stripe(platform, "GET", f"/refunds?payment_intent={read_intent(platform, others[0]['id'])}")["data"][
            0
        ]["amount"]
        == PRICE
    )

    def listed() -> list[dict[str, Any]]:
        return [r for r in needing_attention(platform, STAFF).json()["items"] if r["id"] == refused["id"]]

    (shown,) = eventually(listed, timeout=30)
    assert (shown["kind"], shown["amount"], shown["currency"]) == ("order", PRICE, "VND")
    assert "failed payment" in shown["reason"]
    assert read_order(platform, refused)["refunded_amount"] == 0
    told = [e for e in booking_events(platform, refused["id"], 5) if e["type"] == "booking.refund.refused"]
    assert [e["data"]["amount"] for e in told] == [PRICE]
    for party in (token("organiser", "org-refunds"), token("venue_manager", "mgr-refunds")):
        assert needing_attention(platform, party).status_code == 403
    assert needing_attention(platform, {}).status_code == 401


def test_the_list_of_refused_refunds_refuses_a_state_it_does_not_know(platform: Stack) -> None:
    answer = requests.get(api(platform, "/refunds"), params={"state": "lost"}, headers=STAFF, timeout=10)
    assert answer.status_code == 422 and "state" in answer.json()["errors"], answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
