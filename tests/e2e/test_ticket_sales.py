"""Buying tickets end to end: events on confirmed bookings, holds, payment through localstripe with
signed webhooks, e-tickets, expiry, late payment, cancellation and refunds."""

import pytest
import requests

from tests.e2e.ticket_fixtures import (
    free,
    ga,
    on_sale,
    order,
    order_status,
    pay,
    read_order,
    seated,
    seats_of,
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
    assert qr.headers["Content-Type"].startswith("image/svg+xml") and qr.text.startswith("<svg")


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
