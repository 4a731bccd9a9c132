"""A buyer with an account reads their orders' news in their inbox, as organisers and managers
read theirs: the order's confirmation is there once it is paid, and they mark it read; nobody else
reads or marks it."""

import uuid

import pytest
import requests

from conftest import eventually, token
from tests.e2e.ticket_fixtures import ga, on_sale, order, order_status, pay
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_a_buyer_reads_the_confirmation_of_their_order_in_their_inbox(platform: Stack) -> None:
    sub = f"buyer-inbox-{uuid.uuid4().hex[:6]}"
    buyer, stranger = token("buyer", sub), token("buyer", f"{sub}-other")
    event = on_sale(platform, [ga(10)])
    held = order(
        platform, event["id"], headers=buyer, items=[{"ticket_type_id": event["types"][0], "quantity": 1}]
    )
    assert held.status_code == 201, held.text
    pay(platform, held.json())
    order_status(platform, held.json(), "paid")
    inbox = f"http://127.0.0.1:{platform.ports.notifications}/v1/notifications"

    def confirmation() -> list[dict[str, object]]:
        """the order's confirmation is in the buyer's inbox"""
        answer = requests.get(inbox, headers=buyer, timeout=10)
        assert answer.status_code == 200, answer.text
        return [n for n in answer.json()["items"] if n["template"] == "order_confirmation"]

    note = eventually(confirmation, timeout=60)[0]
    assert note["read_at"] is None
    assert requests.get(inbox, headers=stranger, timeout=10).json()["items"] == []
    theirs = requests.post(f"{inbox}/{note['id']}/read", json={}, headers=stranger, timeout=10)
    assert theirs.status_code == 404
    read = requests.post(f"{inbox}/{note['id']}/read", json={}, headers=buyer, timeout=10)
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
