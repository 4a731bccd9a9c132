"""Wires one service's database, outbox, relay and consumer loop from its settings."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import sqlalchemy as sa

from eventbus import kafka
from eventbus.consumer import ConsumerLoop, Handler
from eventbus.envelope import Envelope
from eventbus.outbox import EventType, Outbox, dead_letters_table, outbox_table, processed_events_table
from eventbus.relay import Relay
from eventbus.settings import Settings


@dataclass(frozen=True)
class Plumbing:
    """The tables every service's database holds for its events."""

    outbox: sa.Table
    processed: sa.Table
    dead_letters: sa.Table

    @classmethod
    def on(cls, metadata: sa.MetaData) -> "Plumbing":
        return cls(outbox_table(metadata), processed_events_table(metadata), dead_letters_table(metadata))


class Runtime:
    def __init__(self, settings: Settings, plumbing: Plumbing, catalogue: Mapping[str, EventType]) -> None:
        self.settings = settings
        self.plumbing = plumbing
        # A failed statement's parameters (order tokens, ticket codes, emails) stay out of the
        # errors that reach logs and dead letters.
        self.engine = sa.create_engine(
            settings.database_url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
        )
        self.outbox = Outbox(settings.service, plumbing.outbox, catalogue)

    def relay(self) -> Relay:
        return Relay(self.engine, self.plumbing.outbox, lambda: kafka.producer(self.settings.kafka_bootstrap))

    def consumer(self, topics: list[str], handlers: Mapping[str, Handler], batch: int = 500) -> ConsumerLoop:
        """`batch`: the most messages a poll returns, applied in one transaction."""
        name = self.settings.service
        return ConsumerLoop(
            name=name,
            engine=self.engine,
            processed=self.plumbing.processed,
            dead_letters=self.plumbing.dead_letters,
            handlers=handlers,
            make_consumer=lambda: kafka.consumer(
                self.settings.kafka_bootstrap, name, topics, max_poll_records=batch
            ),
            make_producer=lambda: kafka.producer(self.settings.kafka_bootstrap),
        )

    def unit_of_work(self) -> "UnitOfWork":
        return UnitOfWork(self)


def _advisory(take: Any) -> sa.Select[Any]:
    return sa.select(take(sa.func.hashtextextended(sa.bindparam("name", type_=sa.Text), 0)))


# Built once: the booking service takes one for each order of a flash sale.
LOCK, TRY_LOCK = _advisory(sa.func.pg_advisory_xact_lock), _advisory(sa.func.pg_try_advisory_xact_lock)


class UnitOfWork:
    """One transaction: the aggregate rows and the outbox rows of their events commit together."""

    def __init__(self, runtime: Runtime, connection: sa.Connection | None = None) -> None:
        self.runtime = runtime
        self._given = connection
        self.conn: sa.Connection

    def __enter__(self) -> Self:
        if self._given is not None:  # a consumer's handler joins the loop's transaction
            self.conn = self._given
        else:
            self.conn = self.runtime.engine.connect()
            self.conn.begin()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._given is None:
            self.conn.close()  # rolls back whatever was not committed

    def publish(
        self, event_type: str, subject: str, data: Mapping[str, object], cause: Envelope | None = None
    ) -> Envelope:
        return self.runtime.outbox.add(self.conn, event_type, subject, dict(data), cause)

    def commit(self) -> None:
        if self._given is None:
            self.conn.commit()

    def lock(self, name: str, wait: bool = True) -> bool:
        """`name` is this transaction's alone until it ends (a PostgreSQL advisory lock on the
        name's 64-bit hash): another that locks it waits, or without `wait` is told it is taken."""
        taken = self.conn.execute(LOCK if wait else TRY_LOCK, {"name": name}).scalar()
        return wait or bool(taken)


U = TypeVar("U", bound=UnitOfWork)


def in_loop_transaction(
    runtime: Runtime, unit_of_work: type[U], use_case: Callable[[U, Envelope], None]
) -> Handler:
    """A consumer handler that runs a service's use case inside the consumer loop's transaction,
    so that its effect and the record of the event commit together."""

    def handle(conn: sa.Connection, event: Envelope) -> None:
        with unit_of_work(runtime, conn) as uow:
            use_case(uow, event)

    return handle
