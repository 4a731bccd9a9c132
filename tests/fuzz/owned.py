"""What the fuzzer's principal owns, made through the public APIs before it starts, so that the
operations on `/{id}` paths reach real objects of theirs rather than answering 404 to every id."""

import uuid
from datetime import datetime
from typing import Any

import requests

from conftest import eventually, token
from tests.e2e.identity_flows import new_email, sign_up_body, user_id
from tests.e2e.ticket_fixtures import api, event_body, free, ga
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack


def owned_by(stack: Stack, sub: str) -> dict[str, list[str]]:
    """For the principal `sub`, who manages a venue and books its spaces as an organiser: the ids
    of its area, venue and spaces; a booking confirmed and one waiting for review, with its
    schedule entry; an event on the confirmed one; a paid order, its token and tickets; the
    notifications in their inbox; its ticket types; an account, on which staff act; and a period
    of two hours. Keyed by the name of the parameter or field each fills."""
    place = venue(stack, needs_approval=True, free_public_use=True, manager=sub)
    organiser, manager = token("organiser", sub), token("venue_manager", sub, place["id"])
    confirmed, pending = (_request(stack, organiser, place, days) for days in (30, 31))
    entries = _review_queue(stack, manager, {confirmed, pending})
    approved = requests.post(
        f"http://127.0.0.1:{stack.ports.venues}/v1/schedule-entries/{entries[confirmed]}/approve",
        headers=manager,
        json={},
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    shown = booking_status(stack, confirmed, organiser, "confirmed")
    event_id = _published_event(stack, organiser, confirmed, shown["start"])
    order = _free_order(stack, organiser, event_id, sub)
    window = slot(days=60, hour=10, hours=2)
    return {
        "area_id": [place["area_id"]],
        "venue_id": [place["id"]],
        "space_id": [s["id"] for s in place["spaces"]],
        "entry_id": [entries[pending], entries[confirmed]],
        "booking_id": [pending, confirmed],
        "event_id": [event_id],
        "order_id": [order["id"]],
        "order_token": [order["token"]],
        "code": [t["code"] for t in order["tickets"]],
        "notification_id": _inbox(stack, organiser),
        "ticket_type_id": [
            t["id"]
            for t in requests.get(api(stack, f"/events/{event_id}"), timeout=10).json()["ticket_types"]
        ],
        "user_id": [_account(stack)],
        "from": [window[0]],  # a period the document cannot describe: `to` after `from`, within a year
        "to": [window[1]],
    }


def _account(stack: Stack) -> str:
    email = new_email("fuzzed")
    answer = requests.post(f"{stack.issuer}/v1/accounts", json=sign_up_body(email), timeout=30)
    assert answer.status_code == 202, answer.text
    return user_id(stack, email)


def _request(stack: Stack, organiser: dict[str, str], place: dict[str, Any], days: int) -> str:
    start, end = slot(days=days, hour=10, hours=6)
    answer = requests.post(
        api(stack, "/venue-bookings"),
        headers=organiser,
        json=request_body(place["hall"]["id"], start, end),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _review_queue(stack: Stack, manager: dict[str, str], bookings: set[str]) -> dict[str, str]:
    """The schedule entry of each booking, once both wait in the manager's review queue."""

    def queued() -> dict[str, str] | None:
        queue = requests.get(
            f"http://127.0.0.1:{stack.ports.venues}/v1/review-queue", headers=manager, timeout=10
        ).json()["items"]
        entries = {e["venue_booking_id"]: e["id"] for e in queue if e["venue_booking_id"] in bookings}
        return entries if len(entries) == len(bookings) else None

    return eventually(queued, timeout=60)


def _published_event(stack: Stack, organiser: dict[str, str], booking_id: str, start: str) -> str:
    body = event_body(booking_id, datetime.fromisoformat(start), [free(50), ga(50, price=80_000)])
    created = requests.post(api(stack, "/events"), headers=organiser, json=body, timeout=10)
    assert created.status_code == 201, created.text
    event_id = str(created.json()["id"])
    published = requests.post(
        api(stack, f"/events/{event_id}/publish"), headers=organiser, json={}, timeout=10
    )
    assert published.status_code == 200, published.text
    return event_id


def _free_order(stack: Stack, organiser: dict[str, str], event_id: str, sub: str) -> dict[str, Any]:
    """Two free registrations, bought under the principal's own token: paid at once, with tickets."""
    types = requests.get(api(stack, f"/events/{event_id}"), timeout=10).json()["ticket_types"]
    free_type = next(t["id"] for t in types if t["kind"] == "free")
    placed = requests.post(
        api(stack, "/orders"),
        headers=organiser | {"Idempotency-Key": str(uuid.uuid4())},
        json={
            "event_id": event_id,
            "email": f"{sub}@example.vn",
            "items": [{"ticket_type_id": free_type, "quantity": 2}],
        },
        timeout=10,
    )
    assert placed.status_code == 201, placed.text
    held = placed.json()
    shown = requests.get(
        api(stack, f"/orders/{held['id']}"), headers={"X-Order-Token": held["token"]}, timeout=10
    ).json()
    assert shown["status"] == "paid" and len(shown["tickets"]) == 2, shown
    return dict(shown) | {"token": held["token"]}


def _inbox(stack: Stack, organiser: dict[str, str]) -> list[str]:
    def delivered() -> list[str] | None:
        items = requests.get(
            f"http://127.0.0.1:{stack.ports.notifications}/v1/notifications", headers=organiser, timeout=10
        ).json()["items"]
        return [n["id"] for n in items] or None

    return eventually(delivered, timeout=60)
