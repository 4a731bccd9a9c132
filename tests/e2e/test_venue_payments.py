"""Paying for a venue booking on localstripe, with the webhooks it signs; and what forged,
replayed, reordered or late webhooks do (nothing, or a refund)."""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import LOCAL_STRIPE_KEY, LOCAL_WEBHOOK_SECRET, Stack

pytestmark = pytest.mark.stack
VISA, DECLINED = "4242424242424242", "4000000000000341"  # the second: declined when charged


def booking_api(stack: Stack, path: str = "") -> str:
    return f"http://127.0.0.1:{stack.ports.booking}/v1{path}"


def stripe(stack: Stack, method: str, path: str, **data: Any) -> dict[str, Any]:
    """What the organiser's browser does with Stripe.js: it talks to Stripe, never to us."""
    answer = requests.request(
        method,
        f"http://127.0.0.1:{stack.ports.stripe}/v1{path}",
        data=data,
        auth=(LOCAL_STRIPE_KEY, ""),
        timeout=10,
    )
    return dict(answer.json())


def pay_with(stack: Stack, intent_id: str, card: str) -> dict[str, Any]:
    method = stripe(
        stack,
        "POST",
        "/payment_methods",
        type="card",
        **{"card[number]": card, "card[exp_month]": "12", "card[exp_year]": "2030", "card[cvc]": "123"},
    )
    stripe(stack, "POST", f"/payment_intents/{intent_id}", payment_method=method["id"])
    return stripe(stack, "POST", f"/payment_intents/{intent_id}/confirm")


def awaiting_payment(stack: Stack, days: int = 10) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    place = venue(stack)
    organiser = token("organiser", f"org-pay-{uuid.uuid4().hex[:6]}")
    booking = requests.post(
        booking_api(stack, "/venue-bookings"),
        headers=organiser,
        timeout=10,
        json=request_body(place["hall"]["id"], *slot(days=days)),
    ).json()
    booking_status(stack, booking["id"], organiser, "held")
    queue = requests.get(
        f"http://127.0.0.1:{stack.ports.venues}/v1/review-queue", headers=place["manager"], timeout=10
    ).json()["items"]
    entry = next(e for e in queue if e["venue_booking_id"] == booking["id"])
    requests.post(
        f"http://127.0.0.1:{stack.ports.venues}/v1/schedule-entries/{entry['id']}/approve",
        json={},
        headers=place["manager"],
        timeout=10,
    ).raise_for_status()
    booking_status(stack, booking["id"], organiser, "awaiting_payment")
    return booking, organiser, entry


def start_payment(stack: Stack, booking: dict[str, Any], organiser: dict[str, str]) -> dict[str, Any]:
    answer = requests.post(
        booking_api(stack, f"/venue-bookings/{booking['id']}/payment"), json={}, headers=organiser, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def signed(
    event: dict[str, Any], at: int | None = None, secret: str = LOCAL_WEBHOOK_SECRET
) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    at = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={at},v1={mac}"


def webhook(stack: Stack, payload: bytes, signature: str) -> requests.Response:
    return requests.post(
        booking_api(stack, "/stripe/webhook"),
        data=payload,
        timeout=10,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def test_paid_on_localstripe_the_signed_webhook_confirms_the_booking_and_the_slot(platform: Stack) -> None:
    booking, organiser, entry = awaiting_payment(platform)
    intent = start_payment(platform, booking, organiser)
    assert (intent["amount"], intent["currency"]) == (booking["occurrences"][0]["fee"]["amount"], "VND")
    assert start_payment(platform, booking, organiser)["payment_intent_id"] == intent["payment_intent_id"]
    assert pay_with(platform, intent["payment_intent_id"], VISA)["status"] in ("succeeded", "processing")
    booking_status(platform, booking["id"], organiser, "confirmed")
    engine = sa.create_engine(platform.database_url("venues"))

    def slot_confirmed() -> bool:
        with engine.connect() as conn:
            status = conn.execute(
                sa.text("SELECT status FROM schedule_entries WHERE id = :e"), {"e": entry["id"]}
            )
            return bool(status.scalar_one() == "confirmed")

    eventually(slot_confirmed)
    engine.dispose()


def test_a_declined_card_leaves_the_booking_awaiting_payment(platform: Stack) -> None:
    booking, organiser, _ = awaiting_payment(platform)
    intent = start_payment(platform, booking, organiser)
    pay_with(platform, intent["payment_intent_id"], DECLINED)
    time.sleep(3)  # localstripe sends its webhooks a second after the fact
    assert booking_status(platform, booking["id"], organiser, "awaiting_payment", "confirmed")["status"] == (
        "awaiting_payment"
    )


def test_forged_stale_replayed_and_reordered_webhooks_change_nothing(platform: Stack) -> None:
    booking, organiser, _ = awaiting_payment(platform)
    intent = start_payment(platform, booking, organiser)
    event = {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": intent["payment_intent_id"], "object": "payment_intent"}},
    }

    forged = webhook(platform, *signed(event, secret="whsec_someone_else"))
    assert (forged.status_code, forged.headers["Content-Type"]) == (400, "application/problem+json")
    stale = webhook(platform, *signed(event, at=int(time.time()) - 3600))
    assert stale.status_code == 400
    # Correctly signed but untrue: Stripe is asked again, and says the intent is not paid.
    untrue = webhook(platform, *signed(event))
    assert untrue.json()["outcome"] == "ignored"
    made_up = {**event, "data": {"object": {"id": "pi_nobody_ever_made", "object": "payment_intent"}}}
    assert webhook(platform, *signed(made_up)).json()["outcome"] == "ignored"
    assert (
        booking_status(platform, booking["id"], organiser, "awaiting_payment")["status"] == "awaiting_payment"
    )

    pay_with(platform, intent["payment_intent_id"], VISA)
    booking_status(platform, booking["id"], organiser, "confirmed")
    replayed = webhook(platform, *signed(event))
    assert replayed.json()["outcome"] == "already applied"
    reordered = webhook(platform, *signed(event | {"type": "payment_intent.created"}))
    assert reordered.json()["outcome"] == "ignored"
    assert booking_status(platform, booking["id"], organiser, "confirmed")["refunded_amount"] == 0


def refunded(stack: Stack, booking: dict[str, Any], organiser: dict[str, str], amount: int) -> None:
    """The worker has paid the booking's refund, once its cancellation committed."""

    def paid_back() -> bool:
        shown = requests.get(
            booking_api(stack, f"/venue-bookings/{booking['id']}"), headers=organiser, timeout=10
        )
        return bool(shown.json()["refunded_amount"] == amount)

    paid_back.__doc__ = f"{amount} refunded on booking {booking['id']}"
    eventually(paid_back)


def test_cancelling_a_paid_booking_refunds_it_by_the_spaces_policy(platform: Stack) -> None:
    booking, organiser, _ = awaiting_payment(platform, days=10)  # 7 days' notice or more: all back
    intent = start_payment(platform, booking, organiser)
    pay_with(platform, intent["payment_intent_id"], VISA)
    booking_status(platform, booking["id"], organiser, "confirmed")
    cancelled = requests.post(
        booking_api(platform, f"/venue-bookings/{booking['id']}/cancel"),
        json={},
        headers=organiser,
        timeout=10,
    ).json()
    assert cancelled["status"] == "cancelled"
    refunded(platform, booking, organiser, intent["amount"])
    refunds = stripe(platform, "GET", f"/refunds?payment_intent={intent['payment_intent_id']}")["data"]
    assert [r["amount"] for r in refunds] == [intent["amount"]]


def test_short_notice_refunds_half_and_a_repeated_webhook_refunds_no_more(platform: Stack) -> None:
    booking, organiser, _ = awaiting_payment(platform, days=3)  # under 7 days' notice: half back
    intent = start_payment(platform, booking, organiser)
    pay_with(platform, intent["payment_intent_id"], VISA)
    booking_status(platform, booking["id"], organiser, "confirmed")
    cancelled = requests.post(
        booking_api(platform, f"/venue-bookings/{booking['id']}/cancel"),
        json={},
        headers=organiser,
        timeout=10,
    ).json()
    assert cancelled["status"] == "cancelled"
    refunded(platform, booking, organiser, intent["amount"] // 2)
    event = {
        "id": "evt_again",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": intent["payment_intent_id"], "object": "payment_intent"}},
    }
    assert webhook(platform, *signed(event)).json()["outcome"] == "already applied"
    refunds = stripe(platform, "GET", f"/refunds?payment_intent={intent['payment_intent_id']}")["data"]
    assert [r["amount"] for r in refunds] == [intent["amount"] // 2]


def test_a_payment_that_arrives_after_the_deadline_is_refunded_in_full(platform: Stack) -> None:
    booking, organiser, _ = awaiting_payment(platform)
    intent = start_payment(platform, booking, organiser)
    booking_status(platform, booking["id"], organiser, "expired")  # the test platform waits 25 s for payment
    pay_with(platform, intent["payment_intent_id"], VISA)

    def refunded() -> dict[str, Any] | None:
        shown = booking_status(platform, booking["id"], organiser, "expired")
        return shown if shown["refunded_amount"] == intent["amount"] else None

    assert "refunded in full" in eventually(refunded, timeout=30)["reason"]
    refunds = stripe(platform, "GET", f"/refunds?payment_intent={intent['payment_intent_id']}")["data"]
    assert [r["amount"] for r in refunds] == [intent["amount"]]
