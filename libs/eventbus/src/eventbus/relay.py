"""Publishes outbox rows to Kafka and deletes them only after the broker acknowledged them."""

import logging
import threading
import time
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from kafka import KafkaProducer
from kafka.errors import KafkaError

from eventbus.kafka import close_quietly
from eventbus.outbox import NOTIFY_CHANNEL

log = logging.getLogger(__name__)
RELAY_LOCK = 7_307_121  # an advisory lock id; each service has its own database


class Relay:
    def __init__(
        self,
        engine: sa.Engine,
        table: sa.Table,
        make_producer: Callable[[], KafkaProducer],
        batch_size: int = 500,
        poll_interval: float = 1.0,
        ack_timeout: float = 20.0,
        linger: float = 0.02,
    ) -> None:
        self.engine = engine
        self.table = table
        self.make_producer = make_producer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.ack_timeout = ack_timeout
        self.linger = linger
        self._producer: KafkaProducer | None = None
        self._listener: psycopg.Connection | None = None

    def publish_batch(self) -> int:
        """Claims up to a batch of rows (other relays skip them), publishes, deletes on ack."""
        t = self.table
        with self.engine.begin() as conn:
            # One relay publishes at a time, so that an aggregate's events keep their order;
            # others wait their turn (a second relay is a stand-by, not extra throughput).
            if not conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(RELAY_LOCK))).scalar_one():
                return 0
            rows = conn.execute(
                sa.select(t.c.id, t.c.event_id, t.c.topic, t.c.key, t.c.payload)
                .order_by(t.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            producer = self._producer or self.make_producer()
            self._producer = producer
            futures = [
                producer.send(
                    row.topic,
                    key=row.key.encode(),
                    value=row.payload,
                    headers=[("event_id", row.event_id.encode())],
                )
                for row in rows
            ]
            producer.flush(timeout=self.ack_timeout)
            for future in futures:
                future.get(timeout=0)  # raises unless the broker acknowledged this row
            conn.execute(t.delete().where(t.c.id.in_([row.id for row in rows])))
        return len(rows)

    def run(self, stop: threading.Event) -> None:
        backoff = 0.1
        while not stop.is_set():
            try:
                published = self.publish_batch()
                backoff = 0.1
                if published < self.batch_size:
                    self._wait_for_notify()
            except Exception as exc:  # the relay outlives every failure; unexpected ones are logged in full
                expected = isinstance(exc, (KafkaError, sa.exc.SQLAlchemyError, psycopg.Error))
                log.log(
                    logging.WARNING if expected else logging.ERROR,
                    "relay cannot publish yet, retrying",
                    exc_info=not expected,
                    extra={"fields": {"error": repr(exc)}},
                )
                self._reset()
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        self._reset()

    def _wait_for_notify(self) -> None:
        """Sleeps until a transaction that wrote to the outbox commits, or the poll interval ends."""
        if self._listener is None or self._listener.closed:
            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = psycopg.connect(url, autocommit=True)
            self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        woken = any(True for _ in self._listener.notifies(timeout=self.poll_interval, stop_after=1))
        if woken:
            # Gather what commits in the next moment into one batch, and swallow the
            # notifications of rows that batch will carry anyway.
            time.sleep(self.linger)
            for _ in self._listener.notifies(timeout=0):
                pass

    def _reset(self) -> None:
        """Drops clients that may be broken; the next batch builds them again."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            close_quietly(producer, timeout=1)
        if self._listener is not None:
            self._listener.close()
            self._listener = None
