"""Organisers' webhooks reach only the public internet: a URL that leads to this machine, its
network or the cloud's metadata service is refused when registered, however it is written, and
again when a message is sent; no redirect is followed; an organiser has a limited number of
hooks; a receiver that never answers holds up no other organiser's."""

import socket
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, receiver_port, silent_port, token
from eventbus.envelope import new_event
from tests.e2e.receiver import Receiver
from tests.e2e.test_notifications import notifications_api, send
from xudong.stack import Stack

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"
TRAP_PORT = receiver_port() + 2  # a private destination the tests do not allow
PRIVATE = [
    "http://127.0.0.1/",
    f"http://127.0.0.1:{TRAP_PORT}/hooks",  # the tests' receiver is allowed on its own port only
    "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "http://10.0.0.7/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/",  # … in hexadecimal
    "http://0177.0.0.1/",  # … with an octal first part
    "http://127.1/",  # … shortened
    "http://localhost/",  # a name that resolves to it
]


def register(stack: Stack, organiser: dict[str, str], url: str) -> requests.Response:
    return requests.post(
        notifications_api(stack, "/webhooks"), headers=organiser, json={"url": url}, timeout=10
    )


def hooks_of(stack: Stack, sub: str) -> int:
    engine = sa.create_engine(stack.database_url("notifications"))
    with engine.connect() as conn:
        query = "SELECT count(*) FROM webhooks WHERE recipient = :r"
        found = int(conn.execute(sa.text(query), {"r": sub}).scalar_one())
    engine.dispose()
    return found


def requested(sub: str) -> bytes:
    """A venue booking of `sub`'s requested, as the booking service would announce it."""
    booking = str(uuid.uuid4())
    data = {
        "venue_booking_id": booking,
        "organiser_id": sub,
        "language": "en",
        "title": "Hội làng",
        "start": "2027-03-01T12:00:00+00:00",
        "end": "2027-03-01T14:00:00+00:00",
        "fee": {"amount": 1_000_000, "deposit": 300_000},
    }
    return new_event("booking", "booking.venue_booking.requested", booking, data).to_bytes()


def webhook_rows(stack: Stack, sub: str) -> list[Any]:
    engine = sa.create_engine(stack.database_url("notifications"))
    with engine.connect() as conn:
        query = (
            "SELECT status, attempts, last_error FROM notifications"
            " WHERE recipient = :r AND channel = 'webhook'"
        )
        rows = list(conn.execute(sa.text(query), {"r": sub}))
    engine.dispose()
    return rows


def call_off(stack: Stack, sub: str) -> None:
    """What is still pending for `sub` is sent no more (so that it keeps no sender busy later)."""
    engine = sa.create_engine(stack.database_url("notifications"))
    with engine.begin() as conn:
        query = "UPDATE notifications SET status = 'cancelled' WHERE recipient = :r AND status = 'pending'"
        conn.execute(sa.text(query), {"r": sub})
    engine.dispose()


def test_a_webhook_to_a_private_address_in_any_form_is_refused_and_nothing_is_registered(
    platform: Stack,
) -> None:
    sub = f"org-ssrf-{uuid.uuid4().hex[:6]}"
    organiser = token("organiser", sub)
    for url in PRIVATE:
        answer = register(platform, organiser, url)
        assert (answer.status_code, answer.headers["Content-Type"]) == (422, PROBLEM), (url, answer.text)
        assert list(answer.json()["errors"]) == ["url"], url
    assert hooks_of(platform, sub) == 0


@pytest.fixture
def trap() -> Iterator[Callable[[], list[socket.socket]]]:
    """A server on a private port no webhook may reach: a call answers the connections it was
    sent so far (those waiting in its backlog are taken first)."""
    listener = socket.create_server(("127.0.0.1", TRAP_PORT))
    listener.settimeout(0.2)
    reached: list[socket.socket] = []

    def connections() -> list[socket.socket]:
        try:
            while True:
                reached.append(listener.accept()[0])
        except TimeoutError:
            return reached

    yield connections
    listener.close()
    for connection in reached:
        connection.close()


def test_a_webhook_that_leads_to_a_private_address_by_the_time_it_is_sent_is_refused_then(
    platform: Stack, trap: Callable[[], list[socket.socket]]
) -> None:
    sub = f"org-rebind-{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(platform.database_url("notifications"))
    with engine.begin() as conn:  # registered when its name led elsewhere; now it leads here
        conn.execute(
            sa.text("INSERT INTO webhooks (id, recipient, url, secret) VALUES (:i, :r, :u, 's')"),
            {"i": str(uuid.uuid4()), "r": sub, "u": f"http://127.0.0.1:{TRAP_PORT}/hooks"},
        )
    engine.dispose()
    send(platform, requested(sub))
    tried = eventually(lambda: [r for r in webhook_rows(platform, sub) if r.attempts >= 1], timeout=30)
    call_off(platform, sub)
    assert "must lead to a public address of the internet, not 127.0.0.1" in tried[0].last_error
    assert trap() == [], "the webhook connected to a private address"


def test_a_webhook_answered_with_a_redirect_is_not_followed(platform: Stack, receiver: Receiver) -> None:
    sub = f"org-moved-{uuid.uuid4().hex[:6]}"
    registered = register(
        platform, token("organiser", sub), f"http://127.0.0.1:{receiver_port()}/moved/{sub}"
    )
    assert registered.status_code == 201, registered.text
    send(platform, requested(sub))
    tried = eventually(lambda: [r for r in webhook_rows(platform, sub) if r.attempts >= 1], timeout=30)
    call_off(platform, sub)
    assert tried[0].last_error.endswith("answered 307")
    assert len(receiver.to(f"/moved/{sub}")) == 1 and receiver.to(f"/hooks/redirected/{sub}") == []


def test_an_organiser_may_register_only_so_many_webhooks(platform: Stack) -> None:
    sub = f"org-many-{uuid.uuid4().hex[:6]}"
    organiser = token("organiser", sub)
    for n in range(10):
        assert (
            register(platform, organiser, f"http://127.0.0.1:{receiver_port()}/hooks/{sub}/{n}").status_code
            == 201
        )
    refused = register(platform, organiser, f"http://127.0.0.1:{receiver_port()}/hooks/{sub}/10")
    assert (refused.status_code, refused.headers["Content-Type"]) == (422, PROBLEM), refused.text
    assert refused.json()["errors"] == {"url": ["an organiser may register at most 10 webhooks"]}
    assert hooks_of(platform, sub) == 10


def test_a_receiver_that_never_answers_does_not_hold_up_another_organisers_webhook(
    platform: Stack, receiver: Receiver, silent_receiver: list[socket.socket]
) -> None:
    slow, quick = (f"org-{kind}-{uuid.uuid4().hex[:6]}" for kind in ("slow", "quick"))
    for sub, url in ((slow, f"http://127.0.0.1:{silent_port()}/hooks"), (quick, None)):
        url = url or f"http://127.0.0.1:{receiver_port()}/hooks/{sub}"
        assert register(platform, token("organiser", sub), url).status_code == 201
    # four messages to the silent one come first: sent one after the other, each would wait for
    # its answer as long as a sender waits (10 s before), and the quick one after all of them
    send(platform, *[requested(slow) for _ in range(4)], requested(quick))
    try:
        eventually(lambda: receiver.to(f"/hooks/{quick}"), timeout=15)
        eventually(lambda: silent_receiver, timeout=15)  # the slow one was tried all the same
    finally:
        call_off(platform, slow)
