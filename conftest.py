"""Fixtures shared by every test: the real stack, started once per run on shifted ports."""

import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from xudong.stack import Stack

T = TypeVar("T")


def eventually(check: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.2) -> T:
    """The first truthy answer of `check` within `timeout` seconds; fails the test otherwise.
    A check answers None (or another falsy value) while what it waits for is not there yet."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {timeout} s: {check.__doc__ or check}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def stack() -> Iterator["Stack"]:
    from xudong.stack import Stack

    os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")
    running = Stack()
    running.start_infrastructure()
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def platform(stack: "Stack") -> "Stack":
    """The three services (api, relay, worker each) running on the stack; unpaid bookings expire
    after 25 s instead of 48 h, so that expiry can be watched; SMS, Zalo and webhooks go to a local
    receiver (allowed as webhooks' only private destinations);
    the tests stand for one reverse proxy, whose X-Forwarded-For names each buyer's address."""
    os.environ.setdefault("BOOKING_PAYMENT_WINDOW_SECONDS", "25")
    os.environ.setdefault("XUDONG_TRUSTED_PROXIES", "1")
    for channel in ("sms", "zalo"):  # the gateways are a receiver the tests run (tests/e2e/receiver.py)
        os.environ.setdefault(
            f"NOTIFICATIONS_{channel.upper()}_URL", f"http://127.0.0.1:{receiver_port()}/{channel}"
        )
    # Webhooks may reach no private address but these two: the receiver, and one that never answers.
    os.environ.setdefault(
        "NOTIFICATIONS_WEBHOOK_ALLOW_HOSTS", f"127.0.0.1:{receiver_port()},127.0.0.1:{silent_port()}"
    )
    stack.start_services()
    return stack


def receiver_port() -> int:
    """Where the tests' HTTP receiver listens: SMS and Zalo gateways, organisers' webhooks."""
    return 8090 + int(os.environ.get("XUDONG_PORT_OFFSET", "0"))


def silent_port() -> int:
    """Where the tests' receiver that accepts connections and never answers listens."""
    return receiver_port() + 1


def topic_records(stack: "Stack", topic: str, about: Callable[[Any], bool]) -> list[Any]:
    """The records of a topic, from its first offset, that `about` picks: one read, as it is now."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=2000,
    )
    try:
        return [m for m in consumer if about(m)]
    finally:
        consumer.close()


def events_mentioning(stack: "Stack", service: str, topic: str, marker: str) -> int:
    """The events of `service` whose envelope holds `marker` (an organiser's id, the correlation id
    a request was sent with): those its outbox still holds, then those on the topic (read after, so
    a row the relay moves meanwhile is found on the topic, and one it sent but has not deleted yet
    is counted twice: a check of "none" or "some"). Counting the whole topic instead counts
    other tests' events that the relay sends late: a check of "wrote nothing" that fails by chance."""
    import sqlalchemy as sa

    engine = sa.create_engine(stack.database_url(service))
    with engine.connect() as conn:
        waiting = conn.execute(sa.text("SELECT payload FROM outbox")).scalars().all()
    engine.dispose()
    sent = topic_records(stack, topic, lambda m: marker.encode() in m.value)
    return sum(marker.encode() in bytes(p) for p in waiting) + len(sent)


def records(
    stack: "Stack",
    topic: str,
    about: Callable[[Any], bool],
    wanted: int = 1,
    timeout: float = 30,
) -> list[Any]:
    """The records of a topic, from its first offset, that `about` picks, once at least `wanted` of
    them can be read: what a service produced a moment ago may not be there yet, and one read that
    happens to come first proves nothing."""

    def read() -> list[Any] | None:
        found = topic_records(stack, topic, about)
        return found if len(found) >= wanted else None

    read.__doc__ = f"{wanted} records on {topic} ({about.__doc__ or 'picked'})"
    return eventually(read, timeout=timeout)


def token(role: str, sub: str, *venues: str) -> dict[str, str]:
    """A bearer token for the test stack's services, signed with the development key."""
    from xudong.stack import Stack

    os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")
    return {"Authorization": "Bearer " + Stack().token(role, sub, venues)}
