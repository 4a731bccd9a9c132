"""A real HTTP endpoint on 127.0.0.1 standing in for the SMS and Zalo gateways and for organisers'
own systems: it records every POST and answers 200, or 503 while told to fail, or a redirect to
`/hooks/redirected/...` for a path `/moved/...`. And one beside it that accepts connections and
never answers."""

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conftest import receiver_port, silent_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def body(self) -> Any:
        return json.loads(self.raw)


@dataclass
class Receiver:
    posts: list[Received] = field(default_factory=list)
    failing: bool = False

    def to(self, path: str) -> list[Received]:
        return [p for p in self.posts if p.path == path]


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state.failing:
                self.send_response(503)
            elif self.path.startswith("/moved"):
                state.posts.append(Received(self.path, dict(self.headers), raw))
                self.send_response(307)
                moved_to = f"/hooks/redirected{self.path.removeprefix('/moved')}"
                self.send_header("Location", f"http://127.0.0.1:{receiver_port()}{moved_to}")
            else:
                state.posts.append(Received(self.path, dict(self.headers), raw))
                self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def silent_receiver() -> Iterator[list[socket.socket]]:
    """A server that accepts every connection and never says a word: the connections it holds."""
    listener = socket.create_server(("127.0.0.1", silent_port()))
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener is closed at the end
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield held
    listener.close()
    for connection in held:
        connection.close()
