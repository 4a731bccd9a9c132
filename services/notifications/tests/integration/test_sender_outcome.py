"""A round's outcome is written down even when the database restarts while the round sends: the
messages it sent are marked sent once the database is back, and no other round sends them again.
What a sender never wrote down (it died after sending) is sent again and counted unconfirmed, and
a connection MailDev closed meanwhile is opened again before a message goes on it.

Before, the round held its messages locked in one transaction from their pick to their marking; a
restart in between lost the locks and the marks, and the next round sent them all again (seen in
the chaos run: 31 emails reached MailDev twice after PostgreSQL's `-m immediate` restart)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from eventbus.migrations import upgrade
from eventbus.runtime import Runtime
from eventbus.settings import Settings
from notifications import db
from notifications.bootstrap import bootstrap
from notifications.sender import Email, deliver_due
from notifications.unit_of_work import NotificationsUnitOfWork
from xudong.processes import ROOT, port_open, wait_for
from xudong.stack import Stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def database(stack: Stack) -> Iterator[tuple[Runtime, str]]:
    name = f"notifications_rounds_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "notifications", url)
    runtime = bootstrap(Settings("notifications", url, stack.kafka_bootstrap))
    yield runtime, name
    runtime.engine.dispose()
    stack.psql(f"DROP DATABASE {name} WITH (FORCE)")


class EmailThenRestart(Email):
    """Email that, once MailDev has taken the message, cuts every connection to the database, as
    a restart of PostgreSQL does."""

    def __init__(self, stack: Stack, database: str) -> None:
        super().__init__("127.0.0.1", stack.ports.smtp)
        self.stack, self.database = stack, database

    def send(self, notification: Any) -> None:
        super().send(notification)
        self.stack.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{self.database}' AND pid <> pg_backend_pid()"
        )


def test_a_message_sent_just_before_the_database_restarts_is_marked_sent_and_not_sent_again(
    stack: Stack, database: tuple[Runtime, str]
) -> None:
    runtime, name = database
    address, message_id = f"round-{uuid.uuid4().hex[:8]}@example.vn", str(uuid.uuid4())
    with runtime.engine.begin() as conn:
        conn.execute(db.notifications.insert().values(**message(message_id, address)))
    channel = EmailThenRestart(stack, name)
    rounds: list[int | str] = []  # what each round sent, or the error it ended with
    try:
        for _ in range(3):  # as the sender loops: a round that fails is followed by the next
            try:
                rounds.append(deliver_due(NotificationsUnitOfWork(runtime), channel, dead_letter=None))
            except sa.exc.DBAPIError as exc:
                rounds.append(type(exc).__name__)
    finally:
        channel.close()  # its SMTP connection, kept open between messages
    with runtime.engine.connect() as conn:
        row = conn.execute(sa.select(db.notifications).where(db.notifications.c.id == message_id)).one()
    assert (row.status, row.leased_until, delivered(stack, address)) == ("sent", None, 1), rounds
    assert rounds == [1, 0, 0]


def test_what_a_dead_sender_took_is_sent_again_and_counted_unconfirmed(
    stack: Stack, database: tuple[Runtime, str]
) -> None:
    """A dead sender leaves its lease to run out with no outcome: the message may have gone. The
    next round sends it, once more, and counts that attempt; one never taken counts none."""
    runtime, _ = database
    taken, fresh = f"taken-{uuid.uuid4().hex[:8]}@example.vn", f"fresh-{uuid.uuid4().hex[:8]}@example.vn"
    ids = {taken: str(uuid.uuid4()), fresh: str(uuid.uuid4())}
    with runtime.engine.begin() as conn:
        conn.execute(
            db.notifications.insert().values(**message(ids[taken], taken), leased_until=datetime.now(UTC))
        )
        conn.execute(db.notifications.insert().values(**message(ids[fresh], fresh)))
    channel = Email("127.0.0.1", stack.ports.smtp)
    try:
        sent = deliver_due(NotificationsUnitOfWork(runtime), channel, dead_letter=None)
    finally:
        channel.close()
    assert (sent, outcome(runtime, ids[taken]), outcome(runtime, ids[fresh])) == (2, ("sent", 1), ("sent", 0))
    assert (delivered(stack, taken), delivered(stack, fresh)) == (1, 1)


def test_a_connection_maildev_closed_is_opened_again_before_the_next_message(
    stack: Stack, database: tuple[Runtime, str]
) -> None:
    """MailDev restarts between two messages on one kept connection: the second is sent in its
    round, on a new connection, and counts no unconfirmed attempt (found broken in the middle of
    sending, it would have been one, and waited for a retry)."""
    runtime, _ = database
    first, second = (f"{n}-{uuid.uuid4().hex[:8]}@example.vn" for n in ("before", "after"))
    ids = {first: str(uuid.uuid4()), second: str(uuid.uuid4())}
    channel, maildev = Email("127.0.0.1", stack.ports.smtp), stack.process("maildev")
    rounds = []
    try:
        for address in (first, second):
            with runtime.engine.begin() as conn:
                conn.execute(db.notifications.insert().values(**message(ids[address], address)))
            rounds.append(deliver_due(NotificationsUnitOfWork(runtime), channel, dead_letter=None))
            if address == first:
                maildev.stop()
                maildev.start()
                wait_for(
                    lambda: port_open(stack.ports.smtp) and port_open(stack.ports.maildev_web), "MailDev"
                )
    finally:
        channel.close()
    assert (rounds, outcome(runtime, ids[second])) == ([1, 1], ("sent", 0))
    assert (delivered(stack, first), delivered(stack, second)) == (1, 1)


def outcome(runtime: Runtime, notification_id: str) -> tuple[str, int]:
    n = db.notifications
    with runtime.engine.connect() as conn:
        row = conn.execute(sa.select(n.c.status, n.c.unconfirmed).where(n.c.id == notification_id)).one()
    return row.status, row.unconfirmed


def delivered(stack: Stack, address: str) -> int:
    mails = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=10).json()
    return sum(1 for m in mails if any(t["address"] == address for t in m.get("to", [])))


def message(message_id: str, address: str) -> dict[str, Any]:
    return {
        "id": message_id,
        "event_id": str(uuid.uuid4()),
        "event_type": "booking.order.paid",
        "recipient": address,
        "template": "order_confirmation",
        "about": str(uuid.uuid4()),
        "channel": "email",
        "address": address,
        "language": "vi",
        "subject": "Vé của bạn: Đêm Chèo",
        "body": "Cảm ơn bạn.",
        "essential": True,
        "status": "pending",
        "send_after": datetime.now(UTC),
        "source": {"type": "booking.order.paid", "data": {}},
    }
