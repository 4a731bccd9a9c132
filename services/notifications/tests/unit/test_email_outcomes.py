"""What an SMTP failure says of the message: a refusal is an answer (not delivered), while a
connection cut after the message went out leaves it unknown, and the attempt is unconfirmed.
Against a scripted SMTP server on a local socket, which answers each command as told."""

import socket
import threading
import uuid
from types import SimpleNamespace

import pytest

from notifications.sender import Email, Undelivered

GREET = b"220 scripted ESMTP\r\n"
OK = b"250 ok\r\n"


class Scripted:
    """Answers EHLO, MAIL and each RCPT with `rcpt`, then DATA; after the message's final dot,
    it answers `final`, or closes the connection when `final` is None."""

    def __init__(self, rcpt: bytes, final: bytes | None) -> None:
        self.rcpt, self.final = rcpt, final
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(GREET)
            for line in lines:
                command = line[:4].upper()
                if command in (b"EHLO", b"HELO", b"MAIL", b"NOOP"):
                    conn.sendall(OK)
                elif command == b"RCPT":
                    conn.sendall(self.rcpt)
                elif command == b"DATA":
                    conn.sendall(b"354 go on\r\n")
                    for body in lines:
                        if body == b".\r\n":
                            break
                    if self.final is None:
                        return
                    conn.sendall(self.final)
                elif command in (b"QUIT", b"RSET"):
                    conn.sendall(b"221 bye\r\n" if command == b"QUIT" else OK)
                    if command == b"QUIT":
                        return

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def notification() -> SimpleNamespace:
    return SimpleNamespace(
        id=str(uuid.uuid4()), address="a@example.vn", subject="Vé của bạn", body="Cảm ơn.", attachment=None
    )


def attempt(server: Scripted, notification: SimpleNamespace) -> Undelivered | None:
    """The failure sending the notification to the scripted server, if any."""
    channel = Email("127.0.0.1", server.port)
    try:
        channel.send(notification)
    except Undelivered as exc:
        return exc
    finally:
        channel.close()
        server.close()
    return None


@pytest.mark.parametrize(
    ("rcpt", "final", "unconfirmed"),
    [
        (OK, None, True),  # the whole message went out, and the answer never came
        (b"550 no such mailbox\r\n", OK, False),  # refused before DATA
        (OK, b"554 rejected\r\n", False),  # refused at its end
    ],
    ids=["cut after the message", "recipient refused", "message refused"],
)
def test_only_a_connection_cut_mid_message_leaves_the_attempt_unconfirmed(
    rcpt: bytes, final: bytes | None, unconfirmed: bool, notification: SimpleNamespace
) -> None:
    failure = attempt(Scripted(rcpt, final), notification)
    assert isinstance(failure, Undelivered)
    assert failure.unconfirmed is unconfirmed, str(failure)


def test_a_server_that_cannot_be_reached_leaves_nothing_unconfirmed(notification: SimpleNamespace) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    with pytest.raises(Undelivered) as failure:
        Email("127.0.0.1", port).send(notification)
    assert failure.value.unconfirmed is False


def test_a_message_the_server_takes_is_delivered(notification: SimpleNamespace) -> None:
    failure = attempt(Scripted(OK, OK), notification)
    assert failure is None
