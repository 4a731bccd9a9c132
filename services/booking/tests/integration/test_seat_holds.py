"""A waiting-list offer holds as many seats as its entry asked for, whatever plan PostgreSQL picks.

The statistics of a hall gathered while it was sold out say that no seat is free; once an order is
cancelled and its seats come back, the planner then runs the pick of free seats as the inner side
of a nested loop, once per seat. This happened by itself when autovacuum analysed the seats table
at that moment (tests/e2e/test_waiting_list.py, seats: an offer for one place held ten); here the
statistics are gathered at that moment on purpose, in a database of its own."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from booking import db
from booking.bootstrap import bootstrap
from booking.unit_of_work import BookingUnitOfWork
from eventbus.migrations import upgrade
from eventbus.runtime import Runtime
from eventbus.settings import Settings
from xudong.processes import ROOT
from xudong.stack import Stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def booking_database(stack: Stack) -> Iterator[Runtime]:
    name = f"booking_seats_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "booking", url)
    runtime = bootstrap(Settings("booking", url, stack.kafka_bootstrap))
    yield runtime
    runtime.engine.dispose()
    stack.psql(f"DROP DATABASE {name} WITH (FORCE)")


def test_an_offer_of_one_seat_in_a_hall_that_was_sold_out_holds_one_seat(booking_database: Runtime) -> None:
    type_id, cancelled = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    seats = [
        {
            "id": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "ticket_type_id": type_id,
            "label": f"A{n}",
            "position": n,
            "accessible": False,
            "order_id": cancelled,
            "sold": True,
        }
        for n in range(10)
    ]
    with booking_database.engine.begin() as conn, BookingUnitOfWork(booking_database, conn) as uow:
        conn.execute(db.seats.insert(), seats)
        conn.execute(sa.text("ANALYZE seats"))  # the hall, sold out
        conn.execute(db.seats.update().values(order_id=None, sold=False))  # the order is cancelled
        offer = str(uuid.uuid4())
        held = uow.take_any_seats(type_id, 1, offer, now + timedelta(minutes=30), now)
        assert held == [seats[0]["id"]]
        assert [s.id for s in uow.seats_of_order(offer)] == held
