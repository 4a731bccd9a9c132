"""An organiser's events and each one's sales, from the booking service: per ticket type what is
sold, held, free and checked in and what it brought, and the paid orders (the buyers' list);
another organiser finds neither."""

import uuid

import pytest
import requests

from conftest import token
from tests.e2e.ticket_fixtures import api, free, ga, on_sale, order, order_status, pay, signed_qr
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_an_organiser_reads_what_each_ticket_type_sold_and_who_bought(platform: Stack) -> None:
    event = on_sale(platform, [ga(20, price=150_000), free(10)])
    paid_type, free_type = event["types"]
    bought = order(platform, event["id"], items=[{"ticket_type_id": paid_type, "quantity": 2}]).json()
    pay(platform, bought)
    tickets = order_status(platform, bought, "paid")["tickets"]
    held = order(platform, event["id"], items=[{"ticket_type_id": paid_type, "quantity": 3}])
    assert held.status_code == 201, held.text
    registered = order(platform, event["id"], items=[{"ticket_type_id": free_type, "quantity": 1}]).json()
    order_status(platform, registered, "paid")
    checked = requests.post(
        api(platform, "/checkins"),
        json={"event_id": event["id"], "qr": signed_qr(tickets[0]["code"]), "gate": "A"},
        headers=event["organiser"],
        timeout=10,
    )
    assert checked.status_code == 200, checked.text

    answer = requests.get(
        api(platform, f"/events/{event['id']}/sales"), headers=event["organiser"], timeout=10
    )
    assert answer.status_code == 200, answer.text
    sales = answer.json()
    counts = [
        {k: t[k] for k in ("id", "quota", "sold", "held", "free", "checked_in", "revenue")}
        for t in sales["ticket_types"]
    ]
    assert counts == [
        {"id": paid_type, "quota": 20, "sold": 2, "held": 3, "free": 15, "checked_in": 1, "revenue": 300_000},
        {"id": free_type, "quota": 10, "sold": 1, "held": 0, "free": 9, "checked_in": 0, "revenue": 0},
    ]
    assert sales["revenue"] == 300_000 and sales["currency"] == "VND"
    assert [(o["email"], o["total"], o["checked_in"]) for o in sales["orders"]] == [
        (bought["email"], 300_000, 1),
        (registered["email"], 0, 0),
    ]
    assert sales["orders"][0]["items"] == [{"ticket_type_id": paid_type, "quantity": 2}]

    stranger = token("organiser", f"org-stranger-{uuid.uuid4().hex[:6]}")
    refused = requests.get(api(platform, f"/events/{event['id']}/sales"), headers=stranger, timeout=10)
    assert refused.status_code == 404
    assert requests.get(api(platform, "/me/events"), headers=stranger, timeout=10).json()["items"] == []


def test_an_organisers_events_are_theirs_whatever_their_state(platform: Stack) -> None:
    event = on_sale(platform, [ga(5)])
    cancelled = requests.post(
        api(platform, f"/events/{event['id']}/cancel"),
        json={"reason": "mưa bão"},
        headers=event["organiser"],
        timeout=10,
    )
    assert cancelled.status_code == 200, cancelled.text
    mine = requests.get(api(platform, "/me/events"), headers=event["organiser"], timeout=10).json()["items"]
    assert [(e["id"], e["status"]) for e in mine] == [(event["id"], "cancelled")]
