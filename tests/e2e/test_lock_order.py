"""Every path takes ticket types before seats (the lock order in booking's unit_of_work.py): a new
order for a seat and a general-admission place, and an expiry, a cancellation or a change that
gives back a quota and then releases seats, never wait for each other."""

import threading

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually
from tests.e2e.test_cancellation_races import waiting_on_a_lock
from tests.e2e.ticket_fixtures import ga, on_sale, order, seated, seats_of
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
# Five numbered seats sold by seat, and five of the balcony sold as general admission.
ROOM = [
    {
        "name": "A",
        "rows": [
            {"label": "A", "seats": 5, "category": "standard"},
            {"label": "B", "seats": 5, "category": "balcony"},
        ],
    }
]


def test_a_new_order_and_an_expiry_take_quotas_and_seats_in_the_same_order(platform: Stack) -> None:
    """The test's own transaction does what `close` does for a lapsed hold (give back the quota,
    then release the seats), with an order for the same quota and seat in between: taken in
    opposite orders, one of the two is killed as a deadlock."""
    place = venue(platform, sections=ROOM, needs_approval=False, free_public_use=True)
    event = on_sale(platform, [seated(), ga(5)], space="room", place=place)
    _, standing = event["types"]
    seat = seats_of(platform, event["id"])[0]["id"]
    answers: list[requests.Response] = []
    deadlocked: list[Exception] = []
    engine = sa.create_engine(platform.database_url("booking"), poolclass=sa.pool.NullPool)
    with engine.connect() as expiring, engine.connect() as watching:
        with expiring.begin():
            expiring.execute(sa.text("UPDATE ticket_types SET taken = taken WHERE id = :t"), {"t": standing})
            buyer = threading.Thread(
                target=lambda: answers.append(
                    order(
                        platform,
                        event["id"],
                        items=[{"ticket_type_id": standing, "quantity": 1}],
                        seats=[seat],
                    )
                )
            )
            buyer.start()
            eventually(lambda: answers or waiting_on_a_lock(watching), timeout=20)
            try:
                expiring.execute(
                    sa.text("UPDATE seats SET held_until = held_until WHERE id = :s"), {"s": seat}
                )
            except sa.exc.OperationalError as exc:  # deadlock detected: the expiry was the one killed
                deadlocked.append(exc)
        buyer.join(timeout=30)
    engine.dispose()
    assert deadlocked == []
    (answer,) = answers
    assert answer.status_code == 201, answer.text
    assert [s["state"] for s in seats_of(platform, event["id"]) if s["id"] == seat] == ["held"]


def test_an_expiry_of_several_holds_never_holds_one_orders_seat_while_it_waits_for_anothers_quota(
    platform: Stack,
) -> None:
    """Two holds lapse: A's seat, then B's standing place. The test's transaction plays a buyer of
    B's quota, then A's seat, as an order takes them. An expiry that closed both in one transaction
    would hold A's seat while it waited for B's quota: the two would deadlock. Closed one order a
    transaction, A's seat is free of locks by the time the sweep waits for B's quota."""
    place = venue(platform, sections=ROOM, needs_approval=False, free_public_use=True)
    event = on_sale(platform, [seated(), ga(5)], space="room", place=place)
    _, standing = event["types"]
    seat = seats_of(platform, event["id"])[0]["id"]
    first = order(platform, event["id"], seats=[seat]).json()
    second = order(platform, event["id"], items=[{"ticket_type_id": standing, "quantity": 1}]).json()
    engine = sa.create_engine(platform.database_url("booking"), poolclass=sa.pool.NullPool)
    with engine.connect() as buying, engine.connect() as watching:
        with buying.begin():
            buying.execute(sa.text("UPDATE ticket_types SET taken = taken WHERE id = :t"), {"t": standing})
            with engine.begin() as clock:  # A lapsed first, then B: the sweep meets them in that order
                for order_id, ago in ((first["id"], "2 minutes"), (second["id"], "1 minute")):
                    clock.execute(
                        sa.text(f"UPDATE orders SET expires_at = now() - interval '{ago}' WHERE id = :o"),
                        {"o": order_id},
                    )
                clock.execute(
                    sa.text("UPDATE seats SET held_until = now() - interval '2 minutes' WHERE id = :s"),
                    {"s": seat},
                )
            eventually(lambda: waiting_on_a_lock(watching), timeout=30)  # the sweep waits for B's quota
            # A's seat is free of locks by now: NOWAIT fails at once if the sweep still held it
            buying.execute(sa.text("SELECT 1 FROM seats WHERE id = :s FOR UPDATE NOWAIT"), {"s": seat})
        eventually(lambda: {order_state(watching, o["id"]) for o in (first, second)} == {"expired"})
    engine.dispose()


def order_state(conn: sa.Connection, order_id: str) -> str:
    return str(conn.execute(sa.text("SELECT status FROM orders WHERE id = :o"), {"o": order_id}).scalar_one())
