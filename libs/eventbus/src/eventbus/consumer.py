"""At-least-once consumption made effectively-once by a processed-events table; poison goes to the DLQ."""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata
from sqlalchemy.dialects.postgresql import insert

from eventbus.dberrors import passes_by_waiting
from eventbus.envelope import Envelope, InvalidEnvelope
from eventbus.kafka import LazyProducer, dlq_topic
from eventbus.logs import correlation_id

log = logging.getLogger(__name__)

Handler = Callable[[sa.Connection, Envelope], None]


class Stopped(Exception):
    """The process is stopping while a message waits: its offset stays uncommitted."""


class ConsumerLoop:
    def __init__(
        self,
        name: str,
        engine: sa.Engine,
        processed: sa.Table,
        dead_letters: sa.Table,
        handlers: Mapping[str, Handler],
        make_consumer: Callable[[], KafkaConsumer],
        make_producer: Callable[[], KafkaProducer],
        max_attempts: int = 4,
        backoff: float = 0.2,
        rejoin_after: float = 30.0,
    ) -> None:
        self.name = name
        self.engine = engine
        self.processed = processed
        self.dead_letters = dead_letters
        self.handlers = handlers
        self.make_consumer = make_consumer
        self.make_producer = make_producer
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.rejoin_after = rejoin_after
        self._dlq = LazyProducer(make_producer)
        self._uncommitted: dict[Any, int] = {}  # partition → next offset, applied but not committed
        self._record_processed = insert(processed).on_conflict_do_nothing().returning(processed.c.event_id)

    def run(self, stop: threading.Event) -> None:
        """Polls until stopped; a broker away (at the start or on the way) is waited for, as the
        relay waits for it, so that a broker's restart never ends the worker. A consumer left
        without a partition for `rejoin_after` seconds is replaced by a new one: kafka-python
        3.0.12 once kept the notifications worker's consumer looking for its group's coordinator
        for 25 minutes, never in the group, while a new consumer of the same group joined in
        0.3 s. (A group with more members than partitions would have one rejoin every time.)"""
        try:
            consumer = self._kafka(stop, self.make_consumer)
        except Stopped:
            return
        unassigned_since: float | None = time.monotonic()
        try:
            while not stop.is_set():
                polled = self._kafka(stop, partial(consumer.poll, timeout_ms=500))
                if polled:
                    # Within a partition the order is kept; across partitions none is promised.
                    self.handle_batch([m for ms in polled.values() for m in ms], stop)
                    self._uncommitted |= {tp: ms[-1].offset + 1 for tp, ms in polled.items()}
                if self._uncommitted:
                    self._commit(consumer)
                if consumer.assignment():
                    unassigned_since = None
                elif unassigned_since is None:
                    unassigned_since = time.monotonic()
                elif time.monotonic() - unassigned_since > self.rejoin_after:
                    log.warning("no partition for a while: a new consumer joins the group")
                    consumer.close(autocommit=False)
                    self._uncommitted = {}  # none of those partitions is this member's now
                    consumer = self._kafka(stop, self.make_consumer)
                    unassigned_since = time.monotonic()
        except Stopped:
            pass
        finally:
            consumer.close(autocommit=False)
            self._dlq.close()

    def handle_batch(self, messages: list[ConsumerRecord], stop: threading.Event) -> None:
        """What one poll returned, applied in one transaction: the common case. Should any
        message be unreadable or any handler fail, the transaction is rolled back and each
        message is handled on its own, with retries and the DLQ."""
        wanted: list[Envelope] = []
        for message in messages:
            try:
                event = Envelope.from_bytes(message.value)
            except InvalidEnvelope:
                self._one_by_one(messages, stop)
                return
            if event.type in self.handlers:
                wanted.append(event)
        while wanted:
            try:
                self._apply_all(wanted)
                return
            except Exception as exc:
                if not passes_by_waiting(exc):
                    self._one_by_one(messages, stop)
                    return
                self._pause(stop, 1.0, "database unreachable, waiting", exc)

    def _apply_all(self, events: list[Envelope]) -> None:
        with self.engine.begin() as conn:
            first_time = set(
                conn.execute(
                    self._record_processed,
                    [{"consumer": self.name, "event_id": e.id, "event_type": e.type} for e in events],
                ).scalars()
            )
            for event in events:
                if event.id in first_time:
                    first_time.discard(event.id)  # the same event twice in one batch applies once
                    token = correlation_id.set(event.correlationid)
                    try:
                        self.handlers[event.type](conn, event)
                    finally:
                        correlation_id.reset(token)

    def _one_by_one(self, messages: list[ConsumerRecord], stop: threading.Event) -> None:
        for message in messages:
            self.handle(message, stop)

    def handle(self, message: ConsumerRecord, stop: threading.Event) -> None:
        try:
            event = Envelope.from_bytes(message.value)
        except InvalidEnvelope as exc:
            self._dead_letter(message, str(exc), stop)
            return
        handler = self.handlers.get(event.type)
        if handler is None:
            return  # a tolerant reader: event types this consumer does not need pass by
        token = correlation_id.set(event.correlationid)
        try:
            self._apply_with_retries(handler, event, message, stop)
        finally:
            correlation_id.reset(token)

    def _apply_with_retries(
        self, handler: Handler, event: Envelope, message: ConsumerRecord, stop: threading.Event
    ) -> None:
        failures = 0
        while True:
            try:
                self._apply(handler, event)
                return
            except Exception as exc:
                # The database being away is no fault of the message: wait, never dead-letter.
                if passes_by_waiting(exc):
                    self._pause(stop, 1.0, "database unreachable, waiting", exc)
                    continue
                failures += 1
                if failures >= self.max_attempts:
                    self._dead_letter(message, f"{type(exc).__name__}: {exc}", stop)
                    return
                self._pause(stop, self.backoff * 2 ** (failures - 1), "handler failed, retrying", exc)

    def _apply(self, handler: Handler, event: Envelope) -> None:
        """The handler's effect and the record of the event id commit together, or neither does."""
        with self.engine.begin() as conn:
            first_time = conn.execute(
                self._record_processed,
                {"consumer": self.name, "event_id": event.id, "event_type": event.type},
            ).first()
            if first_time is not None:
                handler(conn, event)
            else:
                log.info("duplicate event skipped", extra={"fields": {"event_id": event.id}})

    def _dead_letter(self, message: ConsumerRecord, error: str, stop: threading.Event) -> None:
        log.error(
            "message sent to the dead-letter topic",
            extra={"fields": {"topic": message.topic, "offset": message.offset, "error": error}},
        )
        headers = [
            ("error", error.encode()),
            ("consumer", self.name.encode()),
            ("original_topic", message.topic.encode()),
            ("original_partition", str(message.partition).encode()),
            ("original_offset", str(message.offset).encode()),
        ]
        while True:  # first the copy on the dead-letter topic, once
            try:
                self._dlq.send(
                    dlq_topic(message.topic), 20, key=message.key, value=message.value, headers=headers
                )
                break
            except KafkaError as exc:
                self._pause(stop, 1.0, "dead-letter topic unreachable, waiting", exc)
        while True:  # then the row operators query
            try:
                self._record_dead_letter(message, error)
                return
            except Exception as exc:
                if not passes_by_waiting(exc):
                    raise
                self._pause(stop, 1.0, "database unreachable, waiting", exc)

    def _record_dead_letter(self, message: ConsumerRecord, error: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(self.dead_letters)
                .values(
                    consumer=self.name,
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    error=error,
                    payload=message.value,
                )
                .on_conflict_do_nothing()
            )

    def _commit(self, consumer: KafkaConsumer) -> None:
        """One commit for everything applied since the last one that went through. One that fails
        is tried again after the next poll, for the partitions this member still holds: on a quiet
        partition no later message would commit past the applied one, and its group would lag
        behind it for good (a chaos run: every group one message behind on identity.events, after a
        broker restart). A partition that moved to another member resumes there from the last
        commit, and the processed-events table drops what this member already applied."""
        held = consumer.assignment()
        self._uncommitted = {tp: offset for tp, offset in self._uncommitted.items() if tp in held}
        if not self._uncommitted:
            return
        try:
            consumer.commit(
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._uncommitted.items()}
            )
        except (CommitFailedError, KafkaError) as exc:
            log.warning("offset commit failed", extra={"fields": {"error": repr(exc)}})
        else:
            self._uncommitted = {}

    def _kafka(self, stop: threading.Event, call: Callable[[], Any]) -> Any:
        """What a call to the broker answers, asked again while the broker is unreachable (a
        retriable KafkaError); any other error is raised."""
        while True:
            try:
                return call()
            except KafkaError as exc:
                if not exc.retriable:
                    raise
                self._pause(stop, 1.0, "broker unreachable, waiting", exc)

    @staticmethod
    def _pause(stop: threading.Event, seconds: float, why: str, exc: Exception) -> None:
        log.warning(why, extra={"fields": {"error": repr(exc)}})
        if stop.wait(seconds):
            raise Stopped()
