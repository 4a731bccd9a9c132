"""Kafka clients built one way for every service, and the topic declarations."""

import contextlib
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import TopicPartition

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def close_quietly(producer: KafkaProducer, timeout: float) -> None:
    """Closes a producer that may be broken: kafka-python's close flushes first and raises
    KafkaTimeoutError when the broker is away, which must not end the process that drops it (it
    ended the relay, inside the handler of the error that made it drop the producer)."""
    with contextlib.suppress(KafkaError):
        producer.close(timeout=timeout)


def lag(bootstrap: str, group: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """Per partition of `topics`, how many messages lie beyond the offset `group` committed. Where
    it committed none, Kafka answers -1, which is no offset: an empty partition lags by nothing
    (counted as one, it kept three groups "one message behind" an idle topic for good)."""
    with contextlib.closing(KafkaConsumer(bootstrap_servers=bootstrap)) as reader:
        partitions = [TopicPartition(t, p) for t in topics for p in reader.partitions_for_topic(t) or ()]
        ends = reader.end_offsets(partitions)
        # made once the reader is, and closed before it: made first, it was left open (its socket
        # a ResourceWarning) whenever the reader could not be made, the broker being away
        with contextlib.closing(
            KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
        ) as admin:
            committed = admin.list_group_offsets({group: partitions})[group]
    return {tp: end - max(committed[tp].offset if tp in committed else 0, 0) for tp, end in ends.items()}


class LazyProducer:
    """A producer made when first needed and made again after a broker error, so that a worker
    that starts, or goes on, while the broker is away is not ended by it: the send fails, and the
    caller tries again later."""

    def __init__(self, make: Callable[[], KafkaProducer]) -> None:
        self._make = make
        self._producer: KafkaProducer | None = None

    def send(self, topic: str, timeout: float, **message: Any) -> None:
        """Sends and waits for the broker's acknowledgement; a KafkaError drops the producer."""
        try:
            self._producer = self._producer or self._make()
            self._producer.send(topic, **message).get(timeout=timeout)
        except KafkaError:
            self.close(timeout=1)
            raise

    def close(self, timeout: float = 2) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            close_quietly(producer, timeout)


def producer(bootstrap: str, **overrides: Any) -> KafkaProducer:
    """Idempotent, acknowledged by all in-sync replicas, failing fast enough for a relay to retry."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "max_block_ms": 5000,
        "request_timeout_ms": 5000,
        "delivery_timeout_ms": 15000,
        "retry_backoff_ms": 200,
    }
    config.update(overrides)
    return KafkaProducer(**config)


def consumer(bootstrap: str, group_id: str, topics: list[str], **overrides: Any) -> KafkaConsumer:
    """Offsets are committed by the consumer loop after the handler's transaction, never automatically."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": 500,
        # A fetch waits up to 50 ms for more to arrive: under load each poll carries a batch
        # (one transaction for many events) instead of one broker round trip per event.
        "fetch_min_bytes": 64 * 1024,
        "fetch_max_wait_ms": 50,
        "reconnect_backoff_max_ms": 2000,
        # A worker that dies without leaving (SIGKILL, a lost machine) holds its partitions until
        # its session runs out: 10 s, not the default 45 s, before its replacement takes them over.
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 3_000,
    }
    config.update(overrides)
    return KafkaConsumer(*topics, **config)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int

    def with_dlq(self) -> list["TopicSpec"]:
        return [self, TopicSpec(dlq_topic(self.name), 1, self.retention_ms)]


def load_topics(path: Path) -> list[TopicSpec]:
    declared = tomllib.loads(path.read_text())["topic"]
    return [
        spec for t in declared for spec in TopicSpec(t["name"], t["partitions"], t["retention_ms"]).with_dlq()
    ]


def ensure_topics(bootstrap: str, topics: list[TopicSpec]) -> None:
    """Creates the topics that do not exist yet; existing ones are left as they are."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(t.name, t.partitions, 1, topic_configs={"retention.ms": str(t.retention_ms)})
            for t in topics
            if t.name not in existing
        ]
        for topic in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([topic])
    finally:
        admin.close()
