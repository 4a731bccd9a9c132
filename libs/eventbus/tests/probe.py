"""A minimal service that uses the library as the real services do, so that its mechanics
can be proven against the real broker and database. Run as a process:
`python probe.py relay|worker|forgetful-worker DATABASE_URL BOOTSTRAP TOPIC`."""

import sys
import uuid

import marshmallow as ma
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID, insert

from eventbus.envelope import Envelope
from eventbus.outbox import EventType
from eventbus.process import run_until_signalled
from eventbus.runtime import Plumbing, Runtime
from eventbus.settings import Settings

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)
changes = sa.Table("changes", metadata, sa.Column("id", UUID(as_uuid=False), primary_key=True))
# `applied` counts how often a change's event took effect: exactly-once means 1, always.
effects = sa.Table(
    "effects",
    metadata,
    sa.Column("change_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("applied", sa.Integer, nullable=False),
    sa.Column("handled_at", sa.DateTime(timezone=True), server_default=sa.func.clock_timestamp()),
)


class ChangeMade(ma.Schema):
    change_id = ma.fields.String(required=True)
    explode = ma.fields.Boolean(load_default=False)
    fault = ma.fields.String(load_default=None, allow_none=True)  # a key of FAULTS
    padding = ma.fields.String(load_default="")


def runtime(database_url: str, bootstrap: str, topic: str) -> Runtime:
    settings = Settings("probe-" + topic, database_url, bootstrap)
    return Runtime(settings, plumbing, {"probe.changed": EventType(topic, ChangeMade())})


# Errors no retry will see pass, though psycopg calls them OperationalError as it does a lost
# connection: what a handler meets on a message too big or too slow for the database.
FAULTS = {
    "statement_timeout": "SET LOCAL statement_timeout = '50ms'; SELECT pg_sleep(5)",
    "program_limit": "SELECT repeat('x', 1073741824)",  # 54000: requested length too large
}


def make_change(
    rt: Runtime, explode: bool = False, commit: bool = True, padding: str = "", fault: str | None = None
) -> str:
    """A state change and its event in one transaction, committed or rolled back."""
    change_id = str(uuid.uuid4())
    with rt.unit_of_work() as uow:
        uow.conn.execute(changes.insert(), {"id": change_id})
        uow.publish(
            "probe.changed",
            change_id,
            {"change_id": change_id, "explode": explode, "padding": padding, "fault": fault},
        )
        if commit:
            uow.commit()
    return change_id


_apply_once_more = (
    insert(effects)
    .values(applied=1)
    .on_conflict_do_update(index_elements=["change_id"], set_={"applied": effects.c.applied + 1})
)


def apply_change(conn: sa.Connection, event: Envelope) -> None:
    if event.data.get("explode"):
        raise RuntimeError("this change always fails to apply")
    if event.data.get("fault"):
        for statement in FAULTS[event.data["fault"]].split("; "):
            conn.execute(sa.text(statement))
    conn.execute(_apply_once_more, {"change_id": event.data["change_id"]})


def apply_change_and_forget_it(conn: sa.Connection, event: Envelope) -> None:
    """The defect on purpose, for the controls: the change applies, and the record that its event
    was processed is taken back, so that a redelivery applies it again."""
    apply_change(conn, event)
    done = plumbing.processed
    conn.execute(done.delete().where(done.c.event_id == event.id))


if __name__ == "__main__":
    role, database_url, bootstrap, topic = sys.argv[1:5]
    rt = runtime(database_url, bootstrap, topic)
    if role == "relay":
        run_until_signalled(rt.settings, rt.relay().run)
    else:
        handler = apply_change_and_forget_it if role == "forgetful-worker" else apply_change
        run_until_signalled(rt.settings, rt.consumer([topic], {"probe.changed": handler}).run)
