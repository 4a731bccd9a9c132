"""The local Stripe answers idempotent requests as Stripe does, so that a refund asked again (a
worker killed after Stripe paid it and before it was written down, or two rounds at once) pays
once: the chaos run saw one refund of 100 000 ₫ paid twice while localstripe ignored the key.
Through booking's own Payments client, against the stack's localstripe."""

import uuid

import pytest
import requests

from booking.payments import Payments, StripeRefused
from tests.e2e.test_venue_payments import pay_with
from xudong.stack import LOCAL_STRIPE_KEY, LOCAL_WEBHOOK_SECRET, Stack

pytestmark = pytest.mark.stack
CARD = "4242424242424242"


def payments(stack: Stack) -> Payments:
    return Payments(LOCAL_STRIPE_KEY, f"http://127.0.0.1:{stack.ports.stripe}", LOCAL_WEBHOOK_SECRET, 10)


def refunds_of(stack: Stack, intent_id: str) -> list[int]:
    listed = requests.get(
        f"http://127.0.0.1:{stack.ports.stripe}/v1/refunds",
        params={"payment_intent": intent_id},
        auth=(LOCAL_STRIPE_KEY, ""),
        timeout=10,
    ).json()["data"]
    return [r["amount"] for r in listed if r.get("payment_intent") == intent_id]


def test_a_refund_asked_again_with_its_key_is_the_same_refund_and_pays_once(stack: Stack) -> None:
    client = payments(stack)
    intent = client.create_intent(100_000, {"order_id": str(uuid.uuid4())}, f"pay:{uuid.uuid4()}")
    assert pay_with(stack, intent.id, CARD)["status"] == "succeeded"
    key = f"order-refund:{uuid.uuid4()}:100000"
    first, again = client.refund(intent.id, 100_000, key), client.refund(intent.id, 100_000, key)
    assert (again, refunds_of(stack, intent.id)) == (first, [100_000])
    with pytest.raises(StripeRefused, match="same parameters"):  # the key, with another amount
        client.refund(intent.id, 50_000, key)
    assert refunds_of(stack, intent.id) == [100_000]


def test_the_control_the_same_refund_asked_twice_without_a_key_pays_twice(stack: Stack) -> None:
    """What the key prevents: localstripe itself takes a second refund of the whole amount."""
    intent = payments(stack).create_intent(100_000, {"order_id": str(uuid.uuid4())}, f"pay:{uuid.uuid4()}")
    assert pay_with(stack, intent.id, CARD)["status"] == "succeeded"
    for _ in range(2):
        asked = requests.post(
            f"http://127.0.0.1:{stack.ports.stripe}/v1/refunds",
            data={"payment_intent": intent.id, "amount": 100_000},
            auth=(LOCAL_STRIPE_KEY, ""),
            timeout=10,
        )
        assert asked.status_code == 200, asked.text
    assert refunds_of(stack, intent.id) == [100_000, 100_000]
