"""Malformed, oversized and wrongly-typed messages injected into each topic: every consumer of the
topic sends each to the DLQ with its reason, does not stop, and goes on to what follows."""

import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer

from conftest import eventually
from eventbus.envelope import new_event
from eventbus.kafka import lag
from xudong.stack import Stack

pytestmark = pytest.mark.stack

# Each topic, the consumer groups that read it, and an event type all of them handle.
READERS = {
    "venues.events": (("booking", "notifications"), "venues.slot.held"),
    "booking.events": (("venues", "notifications"), "booking.venue_booking.cancelled"),
}


@pytest.mark.parametrize("topic", list(READERS))
def test_bad_messages_go_to_the_dlq_of_every_reader_and_the_next_ones_are_read(
    platform: Stack, topic: str
) -> None:
    groups, handled = READERS[topic]
    marker = uuid.uuid4().hex
    bad = {
        "not json": f"\x00\xff not json {marker}".encode(),
        "not an envelope": f'["{marker}"]'.encode(),
        "oversized": f"{marker} ".encode() + b"x" * 900_000,
        "wrongly typed": new_event(
            "fuzz", handled, marker, {"venue_booking_id": 7, "marker": marker}
        ).to_bytes(),
    }
    after = new_event("fuzz", f"{topic.split('.')[0]}.fuzz.checked", marker, {"marker": marker})
    producer = KafkaProducer(bootstrap_servers=platform.kafka_bootstrap, max_request_size=2_000_000)
    key = marker.encode()  # one partition, in this order: what follows waits behind the bad ones
    for value in [*bad.values(), after.to_bytes()]:
        producer.send(topic, key=key, value=value).get(timeout=10)
    producer.close()

    def dead_letters() -> dict[str, set[str]] | None:
        dlq = KafkaConsumer(
            f"{topic}.dlq",
            bootstrap_servers=platform.kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=2000,
            fetch_max_bytes=5_000_000,
            max_partition_fetch_bytes=5_000_000,
        )
        found: dict[str, set[str]] = {g: set() for g in groups}
        for message in dlq:
            headers = dict(message.headers)
            group = headers.get("consumer", b"").decode()
            if group in found and marker.encode() in (message.value or b""):
                found[group] |= {kind for kind, value in bad.items() if value == message.value}
        dlq.close()
        return found if all(len(kinds) == len(bad) for kinds in found.values()) else None

    found = eventually(dead_letters, timeout=60)
    assert found == {g: set(bad) for g in groups}

    def caught_up() -> bool:
        """Every reader's committed offset has reached the end of the partition they were sent to."""
        return not any(n for group in groups for n in lag(platform.kafka_bootstrap, group, [topic]).values())

    eventually(caught_up, timeout=30)
