"""An event being cancelled sells nothing more: an order placed while the cancellation is under way
is refused once it commits, and a payment for an order of an event no longer on sale issues no
ticket and is refunded in full."""

import threading
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually
from tests.e2e.test_ticket_sales import start_payment
from tests.e2e.test_venue_payments import pay_with
from tests.e2e.ticket_fixtures import VISA, free, ga, on_sale, order, read_order
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def valid_tickets(stack: Stack, event_id: str) -> int:
    engine = sa.create_engine(stack.database_url("booking"))
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM tickets WHERE event_id = :e AND status = 'valid'"), {"e": event_id}
        )
        found = int(count.scalar_one())
    engine.dispose()
    return found


def waiting_on_a_lock(conn: sa.Connection) -> bool:
    """Some other session of the booking database waits for a lock (the test's, here)."""
    waiting = conn.execute(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
    )
    return bool(waiting.scalar_one())


def test_an_order_placed_while_its_event_is_cancelled_is_refused(platform: Stack) -> None:
    """The cancellation is held open at the point where it has marked the event cancelled and
    found no order to close (what `cancel_event` does, in one transaction); an order placed then
    must not commit as sold once the cancellation has committed."""
    event = on_sale(platform, [free(20)])
    answers: list[requests.Response] = []
    engine = sa.create_engine(platform.database_url("booking"), poolclass=sa.pool.NullPool)
    with engine.connect() as cancelling, engine.connect() as watching:
        with cancelling.begin():
            cancelling.execute(sa.text("SELECT id FROM events WHERE id = :e FOR UPDATE"), {"e": event["id"]})
            cancelling.execute(
                sa.text("UPDATE events SET status = 'cancelled' WHERE id = :e"), {"e": event["id"]}
            )
            buyer = threading.Thread(
                target=lambda: answers.append(
                    order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}])
                )
            )
            buyer.start()
            eventually(lambda: answers or waiting_on_a_lock(watching), timeout=20)
        buyer.join(timeout=30)
    engine.dispose()
    (answer,) = answers
    assert answer.status_code == 422 and "event_id" in answer.json()["errors"], answer.text
    assert valid_tickets(platform, event["id"]) == 0


def test_a_payment_for_an_order_of_a_cancelled_event_issues_no_ticket_and_is_refunded(
    platform: Stack,
) -> None:
    """An order left held by a cancellation (as one placed during it once was): paying it issues
    nothing, and the payment goes back in full."""
    event = on_sale(platform, [ga(20, price=80_000)])
    held = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 2}]).json()
    intent = start_payment(platform, held)
    engine = sa.create_engine(platform.database_url("booking"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET status = 'cancelled' WHERE id = :e"), {"e": event["id"]})
    engine.dispose()
    pay_with(platform, intent["payment_intent_id"], VISA)

    def refunded() -> dict[str, Any] | None:
        shown = read_order(platform, held)
        return shown if shown["refunded_amount"] == 160_000 else None

    shown = eventually(refunded, timeout=30)
    assert shown["status"] != "paid" and shown["tickets"] == [] and "refunded in full" in shown["reason"]
    assert valid_tickets(platform, event["id"]) == 0
