"""The transactional outbox: an event is written in the same transaction as the change it reports."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from eventbus.envelope import Envelope, new_event

NOTIFY_CHANNEL = "outbox"


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    table = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    # The relay sleeps on LISTEN; a NOTIFY is transactional, so it wakes only when the writing
    # transaction commits. A trigger saves every writer a round trip.
    for statement in (
        f"""CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM pg_notify('{NOTIFY_CHANNEL}', ''); RETURN NULL; END $$""",
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
        " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
    ):
        sa.event.listen(table, "after_create", sa.DDL(statement))  # type: ignore[no-untyped-call]
    drop = sa.DDL("DROP FUNCTION IF EXISTS outbox_notify() CASCADE")  # type: ignore[no-untyped-call]
    sa.event.listen(table, "before_drop", drop)
    return table


def processed_events_table(metadata: sa.MetaData) -> sa.Table:
    """Event ids a consumer has applied: a redelivered event finds its id here and is skipped."""
    return sa.Table(
        "processed_events",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def dead_letters_table(metadata: sa.MetaData) -> sa.Table:
    """Messages a consumer gave up on, kept beside the `<topic>.dlq` copy for operators' queries."""
    return sa.Table(
        "dead_letters",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("consumer", "topic", "partition", "offset"),
    )


class InvalidEvent(ValueError):
    """An event whose data fails its own schema: a bug in the publisher, never sent."""

    def __init__(self, event_type: str, errors: Mapping[str, Any]) -> None:
        super().__init__(f"{event_type}: {errors}")
        self.errors = errors


@dataclass(frozen=True)
class EventType:
    topic: str
    schema: ma.Schema


class Outbox:
    """Validates a service's events against the schemas it owns and stages them in the outbox."""

    def __init__(self, source: str, table: sa.Table, catalogue: Mapping[str, EventType]) -> None:
        self.source = source
        self.table = table
        self.catalogue = catalogue
        self._insert = table.insert()

    def add(
        self,
        conn: sa.Connection,
        event_type: str,
        subject: str,
        data: Mapping[str, Any],
        cause: Envelope | None = None,
    ) -> Envelope:
        spec = self.catalogue[event_type]
        payload = spec.schema.dump(data)
        errors = spec.schema.validate(payload)
        if errors:
            raise InvalidEvent(event_type, errors)
        event = new_event(self.source, event_type, subject, payload, cause)
        conn.execute(
            self._insert,
            {"event_id": event.id, "topic": spec.topic, "key": subject, "payload": event.to_bytes()},
        )
        return event
