"""A real HTTP endpoint on 127.0.0.1 standing in for the SMS and Zalo gateways and for organisers'
own systems: it records every POST and answers 200, or 503 while told to fail."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from conftest import receiver_port


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
