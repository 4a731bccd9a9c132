"""Organisers' own endpoints, told of what concerns them by signed POSTs. Each POST goes to the
address checked just before it (a name may resolve elsewhere since it was registered), follows no
redirect, and has BUDGET seconds in all: a receiver that accepts and never answers costs its own
sender that much, and holds up no other destination (see `due_webhooks`)."""

import contextlib
import hashlib
import hmac
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from notifications.destinations import Address, Destination, destination
from notifications.sender import Undelivered, json_bytes
from notifications.unit_of_work import NotificationsUnitOfWork

BUDGET = 5.0  # seconds for one POST, from connecting to the answer's status


class Webhook:
    name = "webhook"

    def __init__(self, allowed: Iterable[tuple[Address, int]]) -> None:
        self.allowed = frozenset(allowed)

    def due(self, uow: NotificationsUnitOfWork, at: datetime) -> list[Any]:
        return uow.due_webhooks(at)

    def close(self) -> None:
        """Each POST opens and closes its own connection: nothing is kept between them."""

    def send(self, notification: Any) -> None:
        body = {
            "id": str(notification.id),
            "event_type": notification.event_type,
            "message": notification.template,
            "subject": notification.subject,
            "text": notification.body,
            "data": notification.source["data"],
        }
        at = int(time.time())
        raw = json_bytes(body)  # signed exactly as sent
        mac = hmac.new(notification.secret.encode(), f"{at}.".encode() + raw, hashlib.sha256).hexdigest()
        post(destination(notification.url, self.allowed), raw, {"X-Xudong-Signature": f"t={at},v1={mac}"})


def post(to: Destination, raw: bytes, headers: dict[str, str]) -> None:
    """`raw` POSTed to the checked address; Undelivered unless it answers 2xx within BUDGET (a
    redirect is an answer like any other, and not followed)."""
    deadline = time.monotonic() + BUDGET
    try:
        sock = socket.create_connection((to.address, to.port), timeout=BUDGET)
    except OSError as exc:
        raise Undelivered(f"{to.netloc} could not be reached: {exc}") from exc
    # Socket timeouts bound each read, not a receiver that trickles its answer: at the deadline
    # the connection is cut, through a second descriptor that TLS does not take over.
    spare = sock.dup()
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _cut, (spare,))
    watchdog.start()
    try:
        status = _exchange(to, sock, raw, headers)
    except (OSError, http.client.HTTPException) as exc:
        late = time.monotonic() >= deadline
        raise Undelivered(  # the receiver had the POST, or part of it: it may have acted on it
            f"{to.netloc} gave no answer within {BUDGET:g} s" if late else f"{to.netloc}: {exc}",
            unconfirmed=True,
        ) from exc
    finally:
        watchdog.cancel()
        spare.close()
        sock.close()
    if not 200 <= status < 300:
        raise Undelivered(f"{to.netloc} answered {status}")


def _exchange(to: Destination, sock: socket.socket, raw: bytes, headers: dict[str, str]) -> int:
    if to.https:  # the certificate must bear the name of the URL, not of the address
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=to.host)
    connection = http.client.HTTPConnection(to.host, to.port)
    connection.sock = sock
    try:
        sent = headers | {"Host": to.netloc, "Content-Type": "application/json"}
        connection.request("POST", to.target, body=raw, headers=sent)
        return connection.getresponse().status
    finally:
        connection.close()


def _cut(spare: socket.socket) -> None:
    with contextlib.suppress(OSError):
        spare.shutdown(socket.SHUT_RDWR)
