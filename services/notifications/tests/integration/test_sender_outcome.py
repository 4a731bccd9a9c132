"""A round's outcome is written down even when the database restarts while the round sends: the
messages it sent are marked sent once the database is back, and no other round sends them again.

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
from eventbus.settings import DEV_JWT_SECRET, Settings
from notifications import db
from notifications.bootstrap import bootstrap
from notifications.sender import Email, deliver_due
from notifications.unit_of_work import NotificationsUnitOfWork
from xudong.stack import ROOT, Stack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def database(stack: Stack) -> Iterator[tuple[Runtime, str]]:
    name = f"notifications_rounds_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "notifications", url)
    runtime = bootstrap(Settings("notifications", url, stack.kafka_bootstrap, DEV_JWT_SECRET, "INFO"))
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
    rounds = []
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
    mails = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=10).json()
    delivered = [m for m in mails if any(t["address"] == address for t in m["to"])]
    assert (row.status, row.leased_until, len(delivered)) == ("sent", None, 1), rounds
    assert rounds == [1, 0, 0]


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
