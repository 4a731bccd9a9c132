"""Where a webhook may lead, judged by every address its host resolves to, and how long one POST
may take, on their own."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from notifications import webhooks
from notifications.destinations import Refused, allowance, destination
from notifications.sender import Undelivered


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/",
        "http://172.31.0.1/",
        "http://192.168.0.10/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://0/",
        "http://224.0.0.1/",
        "http://[::1]/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",  # 169.254.169.254 behind NAT64
        "http://[2002:7f00:1::]/",  # 127.0.0.1 in 6to4
        "http://[::127.0.0.1]/",  # IPv4-compatible, deprecated: Python counts it as global
        "http://[::a9fe:a9fe]/",  # 169.254.169.254, the same way
        "http://[64:ff9b:1::7f00:1]/",  # local-use NAT64
        "http://[fd12:3456::1]/",
        "http://[fe80::1]/",
        "http://[fec0::1]/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://localhost:8080/",
        "https://organiser@localhost/",
        "ftp://93.184.216.34/",
        "http://93.184.216.34:99999/",
    ],
)
def test_a_url_that_leads_anywhere_but_the_public_internet_is_refused(url: str) -> None:
    with pytest.raises(Refused):
        destination(url)


def test_a_public_address_is_reached_by_the_address_checked_with_the_url_s_own_host_and_path() -> None:
    found = destination("https://[2606:4700:4700::1111]:8443/hooks/x?y=1")
    assert (found.address, found.port, found.https, found.target) == (
        "2606:4700:4700::1111",
        8443,
        True,
        "/hooks/x?y=1",
    )
    assert found.netloc == "[2606:4700:4700::1111]:8443" and destination("http://93.184.216.34").target == "/"


def test_the_development_allowance_admits_exactly_its_address_and_port() -> None:
    allowed = allowance("127.0.0.1:18090, [::1]:8080")
    assert destination("http://127.0.0.1:18090/hooks", allowed).address == "127.0.0.1"
    assert destination("http://[::1]:8080/", allowed).address == "::1"
    for url in ("http://127.0.0.1:18091/", "http://127.0.0.2:18090/", "http://[::1]:18090/"):
        with pytest.raises(Refused):
            destination(url, allowed)
    assert allowance("") == frozenset()


@pytest.fixture
def trickling() -> Iterator[int]:
    """A server that answers one byte a quarter second, for ever: the port it listens on."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer() -> None:
        connection = listener.accept()[0]
        with connection:
            connection.recv(65536)
            while not stop.wait(0.25):
                try:
                    connection.sendall(b"X")
                except OSError:
                    return

    threading.Thread(target=answer, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_budget(
    trickling: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "BUDGET", 1.0)
    to = destination(f"http://127.0.0.1:{trickling}/", allowance(f"127.0.0.1:{trickling}"))
    started = time.monotonic()
    with pytest.raises(Undelivered, match="gave no answer within 1 s"):
        webhooks.post(to, b"{}", {})
    assert time.monotonic() - started < 3  # each byte came in time; the whole answer did not
