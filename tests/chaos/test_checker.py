"""The chaos checker's own proof, in every `make test`: on a hand-written snapshot where every
promise holds it finds nothing, and for each of its branches, the defect put in on purpose is
named, and nothing else is; and the topics are read to their end offsets."""

import copy
import uuid

import pytest
from kafka import KafkaProducer

from eventbus.envelope import new_event
from eventbus.kafka import TopicSpec, ensure_topics
from tests.chaos import snapshot
from tests.chaos.checker import violations
from tests.chaos.controls import CONTROLS, Control
from tests.chaos.world import world
from xudong.stack import Stack


def test_a_world_that_keeps_every_promise_has_no_violation() -> None:
    assert violations(*world()) == []


def test_a_copy_that_an_unconfirmed_attempt_explains_is_no_violation() -> None:
    """The same message once more, where its notification counts an attempt whose outcome was
    never known (the run's doubled-email controls show a copy beyond that is named)."""
    snap, ledger = copy.deepcopy(world())
    note = next(n for n in snap.notifications if n["channel"] == "email" and n["status"] == "sent")
    note["unconfirmed"] = 1
    snap.mails.append(next(m for m in snap.mails if m["notification"] == note["id"]))
    assert violations(snap, ledger) == []


@pytest.mark.parametrize("control", CONTROLS, ids=[c.__name__ for c in CONTROLS])
def test_each_defect_put_in_is_named_and_nothing_else(control: Control) -> None:
    snap, ledger = copy.deepcopy(world())
    expected = control(snap, ledger)
    assert violations(snap, ledger) == expected


@pytest.mark.stack
def test_the_topics_are_read_to_their_end_offsets(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every message up to the end offsets, whatever silences lie between; a reader that cannot
    get there in time says so instead of returning what it has."""
    topic = f"chaos-read-{uuid.uuid4().hex[:8]}"
    subjects = {f"s-{n}" for n in range(3)}
    ensure_topics(stack.kafka_bootstrap, [TopicSpec(topic, 3, 3_600_000)])
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    try:
        for subject in [*sorted(subjects), "not-ours"]:
            producer.send(topic, new_event("booking", "booking.order.held", subject, {}).to_bytes())
        producer.flush(timeout=30)
    finally:
        producer.close()
    found = snapshot.topic_events(stack, subjects | {"elsewhere"}, [topic])
    assert sorted(e["subject"] for e in found) == sorted(subjects)
    monkeypatch.setattr(snapshot, "READ_FOR", 0.0)
    with pytest.raises(TimeoutError, match="not read to their end offsets"):
        snapshot.topic_events(stack, subjects, [topic])
