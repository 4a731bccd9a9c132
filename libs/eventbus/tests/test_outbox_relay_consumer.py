"""The event mechanics against the real Kafka broker and PostgreSQL: outbox, relay, consumer, DLQ."""

import signal
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from conftest import eventually
from eventbus.kafka import TopicSpec, dlq_topic, ensure_topics, lag, producer
from eventbus.runtime import Runtime
from xudong.processes import Process
from xudong.stack import Stack

sys.path.insert(0, str(Path(__file__).parent))
import probe

pytestmark = pytest.mark.stack


@dataclass
class Probe:
    stack: Stack
    rt: Runtime
    topic: str
    relay: Process
    worker: Process

    def effects(self) -> dict[str, int]:
        with self.rt.engine.connect() as conn:
            return {r.change_id: r.applied for r in conn.execute(sa.select(probe.effects))}

    def outbox_rows(self) -> int:
        with self.rt.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(probe.plumbing.outbox)).scalar_one()

    def messages(self, topic: str | None = None) -> list[Any]:
        consumer = KafkaConsumer(
            topic or self.topic,
            bootstrap_servers=self.stack.kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=3000,
        )
        try:
            return list(consumer)
        finally:
            consumer.close()

    def unconsumed(self) -> dict[int, int]:
        """By partition, how far the worker's group has committed short of the topic's end: each
        offset is committed once what came before it is applied, so none left means all was."""
        behind = lag(self.stack.kafka_bootstrap, self.rt.settings.service, [self.topic])
        return {tp.partition: n for tp, n in behind.items() if n}

    def replay(self, how_many: int) -> None:
        """Redelivers events already applied, as a relay that died between the broker's
        acknowledgement and its delete would, and waits until the worker has consumed them all."""
        replay = producer(self.stack.kafka_bootstrap)
        for message in eventually(
            lambda: found[:how_many] if len(found := self.messages()) >= how_many else None
        ):
            replay.send(self.topic, key=message.key, value=message.value)
        replay.flush()
        replay.close()

        def consumed_to_the_end() -> bool:
            """the worker's group committed every partition to its end"""
            return not self.unconsumed()

        eventually(consumed_to_the_end, timeout=60, interval=0.5)


@pytest.fixture
def probe_service(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Probe]:
    """A probe database, topic, relay and worker; the worker's role may be given as the fixture's
    parameter (`forgetful-worker`, for a control)."""
    name = "probe_" + uuid.uuid4().hex[:8]
    stack.create_database(name)
    topic = name.replace("_", ".")
    ensure_topics(stack.kafka_bootstrap, TopicSpec(topic, 3, 3_600_000).with_dlq())
    url = stack.database_url(name)
    rt = probe.runtime(url, stack.kafka_bootstrap, topic)
    probe.metadata.create_all(rt.engine)
    argv = [sys.executable, str(Path(probe.__file__)), "", url, stack.kafka_bootstrap, topic]
    role = getattr(request, "param", "worker")
    relay = Process(f"{name}-relay", [*argv[:2], "relay", *argv[3:]], stack.state)
    worker = Process(f"{name}-worker", [*argv[:2], role, *argv[3:]], stack.state)
    yield Probe(stack, rt, topic, relay, worker)
    relay.stop()
    worker.stop()
    rt.engine.dispose()


def test_a_rolled_back_change_publishes_nothing_and_a_committed_one_takes_effect_once(
    probe_service: Probe,
) -> None:
    p = probe_service
    kept = probe.make_change(p.rt)
    probe.make_change(p.rt, commit=False)
    p.relay.start()
    p.worker.start()

    eventually(lambda: p.effects() == {kept: 1}, timeout=60)
    eventually(lambda: p.outbox_rows() == 0)
    published = eventually(p.messages)  # one read may come before the broker hands anything over
    assert [m.key.decode() for m in published] == [kept]
    assert p.effects() == {kept: 1}


def test_changes_committed_while_the_broker_is_down_all_arrive_once_after_it_returns(
    probe_service: Probe,
) -> None:
    p = probe_service
    p.relay.start()
    p.worker.start()
    first = probe.make_change(p.rt)
    eventually(lambda: p.effects() == {first: 1}, timeout=60)

    kafka = p.stack.kafka_process()
    kafka.stop()
    made = {probe.make_change(p.rt) for _ in range(500)}
    assert p.outbox_rows() == 500  # held safe in the outbox while nothing can be published
    p.stack.start_kafka()

    def all_applied() -> bool:
        """all 500 changes applied"""
        return set(p.effects()) == made | {first}

    eventually(all_applied, timeout=180, interval=1)
    assert set(p.effects().values()) == {1}
    eventually(lambda: p.outbox_rows() == 0)


def test_a_relay_killed_mid_batch_loses_nothing_and_duplicates_have_no_second_effect(
    probe_service: Probe,
) -> None:
    p = probe_service
    made = {probe.make_change(p.rt) for _ in range(3000)}
    p.worker.start()
    p.relay.start()
    eventually(lambda: 0 < p.outbox_rows() < 3000, timeout=60, interval=0.01)
    p.relay.signal(signal.SIGKILL)
    remaining = p.outbox_rows()
    assert remaining > 0, "the relay was not killed mid-run"
    p.relay.start()
    eventually(lambda: set(p.effects()) == made, timeout=120, interval=0.5)

    p.replay(100)
    p.worker.stop()
    assert len(p.effects()) == 3000
    assert set(p.effects().values()) == {1}


@pytest.mark.parametrize("probe_service", ["forgetful-worker"], indirect=True)
def test_the_control_a_worker_that_forgets_what_it_processed_applies_every_replay_again(
    probe_service: Probe,
) -> None:
    """The wait of the test above, shown to cover the replayed messages: a worker that takes back
    its record of each event applies each of them a second time before that wait ends."""
    p = probe_service
    made = {probe.make_change(p.rt) for _ in range(100)}
    p.worker.start()
    p.relay.start()
    eventually(lambda: set(p.effects()) == made, timeout=60, interval=0.5)
    assert set(p.effects().values()) == {1}
    p.replay(100)
    p.worker.stop()
    assert set(p.effects().values()) == {2}


def test_a_poison_message_goes_to_the_dlq_with_its_error_and_the_next_ones_still_apply(
    probe_service: Probe,
) -> None:
    p = probe_service
    before = probe.make_change(p.rt)
    exploding = probe.make_change(p.rt, explode=True)
    raw = producer(p.stack.kafka_bootstrap)
    raw.send(p.topic, key=before.encode(), value=b"\xff not an event at all").get(timeout=10)
    raw.close()
    after = probe.make_change(p.rt)
    p.relay.start()
    p.worker.start()

    eventually(lambda: set(p.effects()) == {before, after}, timeout=60)
    dead = eventually(
        lambda: p.messages(dlq_topic(p.topic)) if len(p.messages(dlq_topic(p.topic))) == 2 else None
    )
    errors = sorted(dict(m.headers)["error"].decode() for m in dead)
    assert errors[0].startswith("RuntimeError: this change always fails to apply")
    assert errors[1].startswith("not an event envelope")
    with p.rt.engine.connect() as conn:
        recorded = conn.execute(sa.select(probe.plumbing.dead_letters.c.error)).scalars().all()
    assert len(recorded) == 2
    assert exploding not in p.effects()


def test_a_message_the_database_will_never_take_goes_to_the_dlq_and_the_partition_moves_on(
    probe_service: Probe,
) -> None:
    """A statement timeout and a program limit are OperationalErrors to psycopg, as a lost
    connection is; waiting passes neither, so each is dead-lettered after its retries."""
    p = probe_service
    before = probe.make_change(p.rt)
    faults = {fault: probe.make_change(p.rt, fault=fault) for fault in probe.FAULTS}
    after = probe.make_change(p.rt)
    p.relay.start()
    p.worker.start()

    eventually(lambda: set(p.effects()) == {before, after}, timeout=60)
    dead = eventually(
        lambda: p.messages(dlq_topic(p.topic)) if len(p.messages(dlq_topic(p.topic))) == 2 else None
    )
    errors = sorted(dict(m.headers)["error"].decode() for m in dead)
    assert errors[0].startswith("OperationalError: (psycopg.errors.ProgramLimitExceeded)"), errors
    assert errors[1].startswith("OperationalError: (psycopg.errors.QueryCanceled)"), errors
    assert set(faults.values()).isdisjoint(p.effects())


def test_a_group_lags_by_what_lies_beyond_its_commits_and_by_nothing_on_an_empty_partition(
    stack: Stack,
) -> None:
    """Kafka answers offset -1 where a group committed nothing; read as an offset, each empty
    partition counted as one message behind (chaos runs failed on an idle identity.events)."""
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"lag-{uuid.uuid4().hex[:8]}"
    ensure_topics(stack.kafka_bootstrap, [TopicSpec(topic, 3, 3_600_000)])
    sender = producer(stack.kafka_bootstrap)
    for _ in range(2):
        sender.send(topic, value=b"x", partition=1).get(timeout=10)
    sender.close()
    assert {tp.partition: n for tp, n in lag(stack.kafka_bootstrap, group, [topic]).items()} == {
        0: 0,
        1: 2,
        2: 0,
    }
    reader = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, group_id=group, enable_auto_commit=False)
    reader.assign([TopicPartition(topic, 1)])
    reader.commit({TopicPartition(topic, 1): OffsetAndMetadata(1, "", -1)})
    reader.close()
    assert {tp.partition: n for tp, n in lag(stack.kafka_bootstrap, group, [topic]).items()} == {
        0: 0,
        1: 1,
        2: 0,
    }
