"""The venues and booking services follow the identity service's events, published here on
`identity.events` as its relay would: the managers it assigns are those venues' slot events name,
until it unassigns them; a buyer who proved their email sees the orders they placed as a guest with
it, and one who has not, does not; an erased person leaves no id, email, phone or name in either
database, while every amount, date and state, and so every financial total, stays as it was."""

import json
import uuid
from datetime import datetime
from functools import partial
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, records, token
from eventbus.envelope import Envelope
from tests.e2e.identity_events import account, publish
from tests.e2e.test_identity_messages import mentions
from tests.e2e.test_venue_payments import pay_with, start_payment
from tests.e2e.ticket_fixtures import api, event_body, free, ga, order, order_status, pay
from tests.e2e.venue_fixtures import assign_manager, booking_status, managers_of, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def venues_api(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.venues}/v1{path}"


def processed(stack: Stack, service: str, event: Envelope) -> bool:
    """Whether the service's worker has applied the event (its id is in processed_events)."""
    engine = sa.create_engine(stack.database_url(service))
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT count(*) FROM processed_events WHERE event_id = :id")
            return bool(conn.execute(query, {"id": event.id}).scalar())
    finally:
        engine.dispose()


def slot_event(stack: Stack, booking_id: str, event_type: str) -> dict[str, Any]:
    def about(message: Any) -> bool:
        return bool(
            message.key
            and message.key.decode() == booking_id
            and json.loads(message.value)["type"] == event_type
        )

    about.__doc__ = f"{event_type} of {booking_id}"
    [found] = records(stack, "venues.events", about)
    return dict(json.loads(found.value)["data"])


def held(stack: Stack, place: dict[str, Any], days: int) -> dict[str, Any]:
    organiser = token("organiser", f"org-{uuid.uuid4().hex[:6]}")
    answer = requests.post(
        api(stack, "/venue-bookings"),
        headers=organiser,
        json=request_body(place["hall"]["id"], *slot(days=days)),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    booking_status(stack, answer.json()["id"], organiser, "held")
    return slot_event(stack, answer.json()["id"], "venues.slot.held")


def test_the_managers_identity_assigns_are_those_the_slot_events_name_until_unassigned(
    platform: Stack,
) -> None:
    place = venue(platform)  # its manager assigned by identity's event, as every fixture venue's
    first, second = place["manager_id"], f"{place['manager_id']}-deputy"
    assign_manager(platform, second, place["id"])
    assign_manager(platform, second, place["id"])  # said twice: held once
    assert managers_of(platform, place["id"]) == sorted([first, second])
    shown = held(platform, place, days=31)
    assert shown["managers"] == sorted([first, second])
    queue = requests.get(venues_api(platform, "/review-queue"), headers=place["manager"], timeout=10)
    assert shown["venue_booking_id"] in {e["venue_booking_id"] for e in queue.json()["items"]}

    nobody = f"nobody-{uuid.uuid4().hex[:6]}"
    never = publish(
        platform, "identity.manager.unassigned", nobody, {"user_id": nobody, "venue_id": place["id"]}
    )
    eventually(lambda: processed(platform, "venues", never))  # not assigned: nothing changes
    assign_manager(platform, second, place["id"], assigned=False)
    assert managers_of(platform, place["id"]) == [first]
    assert held(platform, place, days=32)["managers"] == [first]

    unknown = str(uuid.uuid4())  # a venue venues does not have (yet): kept, and nothing fails
    assign_manager(platform, first, unknown)
    assert managers_of(platform, unknown) == [first]


def own_orders(stack: Stack, user_id: str, **page: Any) -> dict[str, Any]:
    answer = requests.get(api(stack, "/orders"), headers=token("buyer", user_id), params=page, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def person(stack: Stack, user_id: str) -> Any:
    engine = sa.create_engine(stack.database_url("booking"))
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT verified_email FROM people WHERE user_id = :u")
            return conn.execute(query, {"u": user_id}).first()
    finally:
        engine.dispose()


def on_sale_by(stack: Stack, organiser_id: str, types: list[dict[str, Any]], **words: Any) -> dict[str, Any]:
    """A published event of this organiser's on a fresh free public hall: its id and ticket types."""
    organiser = token("organiser", organiser_id)
    place = venue(stack, needs_approval=False, free_public_use=True)
    start, end = slot(days=40, hour=10, hours=6)
    booked = requests.post(
        api(stack, "/venue-bookings"),
        headers=organiser,
        json=request_body(place["hall"]["id"], start, end),
        timeout=10,
    )
    assert booked.status_code == 202, booked.text
    booking_status(stack, booked.json()["id"], organiser, "confirmed")
    body = event_body(booked.json()["id"], datetime.fromisoformat(start), types, **words)
    created = requests.post(api(stack, "/events"), headers=organiser, json=body, timeout=10)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    published = requests.post(
        api(stack, f"/events/{event_id}/publish"), headers=organiser, json={}, timeout=10
    )
    assert published.status_code == 200, published.text
    shown = requests.get(api(stack, f"/events/{event_id}"), timeout=10).json()
    return {"id": event_id, "types": [t["id"] for t in shown["ticket_types"]], "place": place}


def test_a_verified_buyer_sees_the_orders_they_placed_as_a_guest_and_an_unverified_one_does_not(
    platform: Stack,
) -> None:
    tag = uuid.uuid4().hex[:8]
    user_id, email = f"buyer-{tag}", f"Mai.Tran-{tag}@Example.vn"
    show = on_sale_by(platform, f"org-{tag}", [ga(20, price=100_000)])
    item = [{"ticket_type_id": show["types"][0], "quantity": 1}]
    as_guest = order(platform, show["id"], email=email.upper(), items=item)  # typed otherwise
    someone_else = order(platform, show["id"], email=f"mai.tran-{tag}@example.vn.com", items=item)
    signed_in = order(
        platform, show["id"], token("buyer", user_id), email=f"other-{tag}@example.vn", items=item
    )
    for placed in (as_guest, someone_else, signed_in):
        assert placed.status_code == 201, placed.text
    guest_order = as_guest.json()["id"]

    publish(
        platform, "identity.user.registered", user_id, account(user_id, email, verified=False, role="buyer")
    )
    assert eventually(lambda: person(platform, user_id)).verified_email is None  # not proved: not kept
    assert [o["id"] for o in own_orders(platform, user_id)["items"]] == [signed_in.json()["id"]]
    read = requests.get(api(platform, f"/orders/{guest_order}"), headers=token("buyer", user_id), timeout=10)
    assert read.status_code == 404

    publish(platform, "identity.user.verified", user_id, account(user_id, email, verified=True, role="buyer"))
    listed = eventually(lambda: len(items := own_orders(platform, user_id)["items"]) == 2 and items)
    assert [(o["id"], o["as_guest"], o["total"]) for o in listed] == [
        (signed_in.json()["id"], False, 100_000),
        (guest_order, True, 100_000),
    ]  # newest first; the other address that begins as theirs is not theirs
    assert listed[1]["title"] == {"vi": "Đêm Chèo Xứ Đông", "en": "A night of Chèo"}
    read = requests.get(api(platform, f"/orders/{guest_order}"), headers=token("buyer", user_id), timeout=10)
    assert read.status_code == 200 and read.json()["email"] == email.lower()
    first = own_orders(platform, user_id, limit=1)
    rest = own_orders(platform, user_id, limit=1, cursor=first["next_cursor"])
    assert [o["id"] for o in first["items"] + rest["items"]] == [o["id"] for o in listed]
    assert rest["next_cursor"] is None
    as_organiser = requests.get(api(platform, "/orders"), headers=token("organiser", user_id), timeout=10)
    assert [o["id"] for o in as_organiser.json()["items"]] == [o["id"] for o in listed]  # any role
    assert requests.get(api(platform, "/orders"), timeout=10).status_code == 401


def dead_letter(stack: Stack, service: str, data: dict[str, Any]) -> None:
    """A message the service's consumer gave up on, recorded as its loop records one."""
    engine = sa.create_engine(stack.database_url(service))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                'INSERT INTO dead_letters (consumer, topic, partition, "offset", error, payload)'
                " VALUES (:c, 'identity.events', 0, :o, 'KeyError', :p)"
            ),
            {"c": service, "o": uuid.uuid4().int % 10**12, "p": json.dumps({"data": data}).encode()},
        )
    engine.dispose()


ORDER_TOTALS = (
    "SELECT status, count(*), sum(total), sum(paid_amount), sum(refund_due), sum(refunded_amount)"
    " FROM orders WHERE event_id = :e GROUP BY status ORDER BY status"
)
BOOKING_TOTALS = (
    "SELECT status, count(*), sum(fee_amount), sum(deposit), sum(paid_amount), sum(refund_due),"
    " sum(refunded_amount), min(starts_at), max(ends_at)"
    " FROM venue_bookings WHERE space_id = ANY(CAST(:s AS uuid[])) GROUP BY status ORDER BY status"
)
TICKETS = "SELECT status, count(*) FROM tickets WHERE event_id = :e GROUP BY status ORDER BY status"


def totals(engine: sa.Engine, event_id: str, spaces: list[str]) -> list[list[Any]]:
    with engine.connect() as conn:
        return [
            [tuple(r) for r in conn.execute(sa.text(q), p)]
            for q, p in (
                (ORDER_TOTALS, {"e": event_id}),
                (BOOKING_TOTALS, {"s": spaces}),
                (TICKETS, {"e": event_id}),
            )
        ]


def test_an_erased_person_leaves_nothing_of_theirs_in_venues_or_booking_and_every_total_stands(
    platform: Stack,
) -> None:
    tag = uuid.uuid4().hex[:8]
    user_id, email = f"user-{tag}", f"xoa-{tag}@example.vn"
    phone, name = f"+846{uuid.uuid4().int % 10**8:08d}", f"Lê Văn Xoá {tag}"
    contact = f"Liên hệ {name}, {phone}, {email.upper()}"
    publish(platform, "identity.user.verified", user_id, account(user_id, email, verified=True, phone=phone))
    eventually(lambda: person(platform, user_id))

    # They run a venue (assigned by identity), book it, approve their own request and pay its fee.
    run = venue(platform, manager=user_id)
    organiser = token("organiser", user_id)
    asked = requests.post(
        api(platform, "/venue-bookings"),
        headers=organiser | {"Idempotency-Key": tag},
        json=request_body(run["hall"]["id"], *slot(days=33))
        | {"title": f"Hát văn {name}", "purpose": contact},
        timeout=10,
    )
    assert asked.status_code == 202, asked.text
    booking = asked.json()
    booking_status(platform, booking["id"], organiser, "held")
    queue = requests.get(venues_api(platform, "/review-queue"), headers=run["manager"], timeout=10).json()
    entry = next(e for e in queue["items"] if e["venue_booking_id"] == booking["id"])
    approve = venues_api(platform, f"/schedule-entries/{entry['id']}/approve")
    requests.post(approve, json={}, headers=run["manager"], timeout=10).raise_for_status()
    booking_status(platform, booking["id"], organiser, "awaiting_payment")
    pay_with(platform, start_payment(platform, booking, organiser)["payment_intent_id"], "4242424242424242")
    booking_status(platform, booking["id"], organiser, "confirmed")
    blackout = {**dict(zip(("start", "end"), slot(days=34), strict=True)), "reason": f"Gọi {phone}, {email}"}
    blocked = requests.post(
        venues_api(platform, f"/spaces/{run['hall']['id']}/blackouts"),
        json=blackout,
        headers=run["manager"],
        timeout=10,
    )
    assert blocked.status_code == 201, blocked.text

    # Their event, whose words name them; a guest order with their email, and one signed in; a
    # stranger's; another organiser's request that names their email.
    show = on_sale_by(
        platform,
        user_id,
        [ga(20, price=150_000), free(20)],
        title={"vi": f"Đêm của {name}", "en": "A night"},
        description={"vi": contact, "en": contact},
    )
    paid_type, free_type = show["types"]
    guest = order(
        platform, show["id"], email=email.upper(), items=[{"ticket_type_id": paid_type, "quantity": 2}]
    )
    mine = order(
        platform,
        show["id"],
        token("buyer", user_id) | {"Idempotency-Key": f"{tag}-order"},
        email=email,
        items=[{"ticket_type_id": free_type, "quantity": 1}],
    )
    stranger_email = f"ban-{tag}@example.vn"  # not theirs: it stays
    stranger = order(
        platform, show["id"], email=stranger_email, items=[{"ticket_type_id": paid_type, "quantity": 1}]
    )
    for placed in (guest, mine, stranger):
        assert placed.status_code == 201, placed.text
    for placed in (guest, stranger):
        pay(platform, placed.json())
        order_status(platform, placed.json(), "paid")
    co_organiser = token("organiser", f"org-{tag}")
    theirs_named = requests.post(
        api(platform, "/venue-bookings"),
        headers=co_organiser,
        json=request_body(show["place"]["room"]["id"], *slot(days=41)) | {"purpose": f"Cùng {email} tổ chức"},
        timeout=10,
    )
    booking_status(platform, theirs_named.json()["id"], co_organiser, "confirmed")
    for service in ("venues", "booking"):
        dead_letter(platform, service, {"user_id": user_id, "display_name": name, "email": email})

    engines = {s: sa.create_engine(platform.database_url(s)) for s in ("venues", "booking")}
    needles = [user_id, email, phone, name]
    for service, engine in engines.items():  # the control: each is there to find in each database
        assert sorted(mentions(engine, needles)) == sorted(needles), service
    spaces = [run["hall"]["id"], show["place"]["hall"]["id"], show["place"]["room"]["id"]]
    before = totals(engines["booking"], show["id"], spaces)
    assert before[0] == [("paid", 3, 450_000, 450_000, 0, 0)]
    assert [row[:3] for row in before[1]] == [("confirmed", 3, 1_000_000)]

    erased = publish(
        platform, "identity.user.erased", user_id, {"user_id": user_id, "emails": [email], "phones": [phone]}
    )
    for service in engines:
        eventually(partial(processed, platform, service, erased))
        assert mentions(engines[service], needles) == {}, service
    assert totals(engines["booking"], show["id"], spaces) == before  # amounts, dates, states
    with engines["booking"].connect() as conn:
        emails = conn.execute(
            sa.text("SELECT email FROM orders WHERE event_id = :e ORDER BY email"), {"e": show["id"]}
        )
        assert list(emails.scalars()) == [stranger_email, "erased", "erased"]  # only theirs went
        purpose = conn.execute(
            sa.text("SELECT purpose FROM venue_bookings WHERE id = :b"), {"b": theirs_named.json()["id"]}
        )
        assert purpose.scalar() == "Cùng erased tổ chức"
    assert own_orders(platform, user_id)["items"] == []
    assert managers_of(platform, run["id"]) == []
    for engine in engines.values():
        engine.dispose()
