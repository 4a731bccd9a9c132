"""The download's gathering of each service's part, against real HTTP servers on 127.0.0.1: the
person's token goes to each, and a part that cannot be had fails the whole (the API answers 503)."""

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from identity import holders

ASKED: list[tuple[str, str | None]] = []


class Holder(BaseHTTPRequestHandler):
    """Answers /v1/me/data/<name> with a part naming who asked; /v1/me/data/broken with a 500."""

    def do_GET(self) -> None:
        ASKED.append((self.path, self.headers.get("Authorization")))
        broken = self.path.endswith("/broken")
        body = json.dumps({"asked_by": self.headers.get("Authorization")}).encode()
        self.send_response(500 if broken else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def holder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Holder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ASKED.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_each_part_is_asked_for_with_the_persons_own_token(holder: str) -> None:
    parts = holders.gather("Bearer theirs", {"venues": holder, "booking": holder})
    assert parts == {"venues": {"asked_by": "Bearer theirs"}, "booking": {"asked_by": "Bearer theirs"}}
    assert ASKED == [("/v1/me/data/venues", "Bearer theirs"), ("/v1/me/data/booking", "Bearer theirs")]


@pytest.mark.parametrize("failing", ["a refusal", "no answer"])
def test_a_part_that_cannot_be_had_fails_the_download_and_names_its_service(
    holder: str, failing: str
) -> None:
    broken = {"broken": holder} if failing == "a refusal" else {"booking": closed_port()}
    with pytest.raises(holders.Unavailable) as raised:
        holders.gather("Bearer theirs", {"venues": holder, **broken})
    assert str(raised.value) == next(iter(broken))
