"""Sends what is due, channel by channel, each on its own thread so that a slow or dead channel
never holds up the others. A failure is retried with exponential backoff; after the last attempt
the delivery is marked failed and its event goes to the dead-letter topic with the reason."""

import contextlib
import json
import logging
import smtplib
import threading
import time
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any, Protocol

import requests
import sqlalchemy as sa
from kafka.errors import KafkaError

from eventbus.dberrors import passes_by_waiting
from eventbus.kafka import LazyProducer, dlq_topic
from eventbus.runtime import Runtime
from eventbus.text import one_line
from notifications.handlers import now
from notifications.unit_of_work import NotificationsUnitOfWork

log = logging.getLogger(__name__)
ATTEMPTS = 8
FIRST_RETRY, LONGEST_WAIT = timedelta(seconds=2), timedelta(minutes=2)
# Longer than a round takes unless SMTP hangs; what a sender that died mid-round had waits no longer.
LEASE = timedelta(seconds=30)
SENDER = "Xứ Đông Stages <no-reply@xudong-stages.vn>"
# Headers unfolded up to RFC 5322's line limit: folding a long Vietnamese subject into several
# encoded words, Python 3.11 drops the space between two of them ("Múa rối" arrives "Múarối").
UNFOLDED = policy.SMTP.clone(max_line_length=998)


class Undelivered(Exception):
    """A message not delivered; `unconfirmed` when it may have been all the same: the connection
    broke after the message went out and before the receiver's answer came back."""

    def __init__(self, reason: str, unconfirmed: bool = False) -> None:
        super().__init__(reason)
        self.unconfirmed = unconfirmed


class Channel(Protocol):
    name: str

    def due(self, uow: NotificationsUnitOfWork, at: datetime) -> list[Any]: ...

    def send(self, notification: Any) -> None: ...

    def close(self) -> None: ...


class Queued:
    """A channel that sends the oldest messages due on it, a few at a time."""

    name: str

    def due(self, uow: NotificationsUnitOfWork, at: datetime) -> list[Any]:
        return uow.due(self.name, at)

    def close(self) -> None:
        """What the channel keeps open between messages is closed; by default, nothing."""


class Email(Queued):
    """SMTP, over one connection kept open between messages (a connection per message caps a
    sender at a few dozen a second). A kept connection is checked with a NOOP before a message
    goes on it, so that one the server closed while idle is opened again before sending, not
    found broken in the middle of a message that may or may not have arrived."""

    name = "email"

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._smtp: smtplib.SMTP | None = None

    def send(self, notification: Any) -> None:
        message = EmailMessage(policy=UNFOLDED)
        message["From"], message["To"], message["Subject"] = (
            SENDER,
            notification.address,
            one_line(notification.subject),  # also what was written before subjects were cleaned
        )
        message["Message-ID"] = f"<{notification.id}@xudong-stages.vn>"
        message.set_content(notification.body)
        if notification.attachment:
            message.add_attachment(
                notification.attachment.encode(), maintype="text", subtype="calendar", filename="booking.ics"
            )
        smtp = self._connection()
        try:
            smtp.send_message(message)
        except OSError as exc:  # smtplib's errors are OSErrors too
            self.close()
            # A refusal is an answer; a connection that broke mid-message leaves it unknown.
            cut = isinstance(exc, smtplib.SMTPServerDisconnected) or not isinstance(
                exc, smtplib.SMTPException
            )
            raise Undelivered(str(exc), unconfirmed=cut) from exc

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                if self._smtp.noop()[0] == 250:
                    return self._smtp
            self.close()
        try:
            self._smtp = smtplib.SMTP(self.host, self.port, timeout=10)
        except OSError as exc:
            raise Undelivered(str(exc)) from exc
        return self._smtp

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.close()
        self._smtp = None


class Gateway(Queued):
    """SMS or Zalo through a provider's HTTP gateway: a JSON POST of the recipient and the text."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def send(self, notification: Any) -> None:
        text = f"{notification.subject}\n{notification.body}"
        body = {"to": notification.address, "text": text, "id": str(notification.id)}
        _post(self.url, json_bytes(body), {})


def _post(url: str, raw: bytes, headers: dict[str, str]) -> None:
    try:
        sent = requests.post(
            url,
            data=raw,
            headers=headers | {"Content-Type": "application/json"},
            timeout=10,
            allow_redirects=False,  # a gateway that moved is told by its operator, not followed
        )
    except requests.RequestException as exc:  # no answer in time: the gateway may have sent it
        raise Undelivered(str(exc), unconfirmed=isinstance(exc, requests.ReadTimeout)) from exc
    if not sent.ok:
        raise Undelivered(f"{url} answered {sent.status_code}")


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … up to two minutes between attempts."""
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def deliver_due(uow: NotificationsUnitOfWork, channel: Channel, dead_letter: Any) -> int:
    """One round: what is due on the channel is leased to this sender, sent, then marked sent,
    rescheduled or, at the last attempt, failed. The lease is written before anything is sent, so
    that what happened can be written after, even once the database is back from a restart,
    without another sender taking (and sending again) a message meanwhile."""
    with uow:
        due = channel.due(uow, now())
        uow.lease([n.id for n in due], now() + LEASE)
        uow.commit()
    if retaken := [str(n.id) for n in due if n.leased_until is not None]:
        log.warning(
            "sending again what a sender took and never wrote down", extra={"fields": {"ids": retaken}}
        )
    sent, failed = [], []
    for notification in due:
        try:
            channel.send(notification)
        except Exception as exc:  # whatever one message meets is a failed attempt of it alone
            failed.append((notification, exc))
            continue
        sent.append(notification.id)
    _write_down(uow, channel.name, sent, failed, dead_letter)
    return len(due)


def _write_down(
    uow: NotificationsUnitOfWork,
    channel: str,
    sent: list[str],
    failed: list[tuple[Any, Exception]],
    dead_letter: Any,
) -> None:
    """What the round did, written once the database takes it, for as long as the lease holds."""
    give_up = time.monotonic() + (LEASE / 2).total_seconds()
    while True:
        try:
            with uow:
                if sent:
                    uow.mark_sent(sent, now())
                for notification, exc in failed:
                    _failed_attempt(uow, channel, notification, exc, dead_letter)
                uow.commit()
            return
        except sa.exc.DBAPIError as exc:
            if not passes_by_waiting(exc) or time.monotonic() > give_up:
                raise
            log.warning(
                "database unreachable, the round's outcome waits", extra={"fields": {"error": repr(exc)}}
            )
            time.sleep(1.0)


def _failed_attempt(
    uow: NotificationsUnitOfWork, channel: str, notification: Any, exc: Exception, dead_letter: Any
) -> None:
    """Retried later, or failed and dead-lettered at the last attempt. The reason is stored on one
    line without NUL, so that storing it cannot fail the round and undo what it sent."""
    attempts = notification.attempts + 1
    reason = one_line(str(exc) if isinstance(exc, Undelivered) else f"{type(exc).__name__}: {exc}")
    if isinstance(exc, Undelivered) and exc.unconfirmed:
        uow.count_unconfirmed(notification.id)
    if attempts >= ATTEMPTS:
        try:
            dead_letter(uow.source(notification.id), f"{channel} delivery failed {attempts} times: {reason}")
        except KafkaError as exc:  # the last attempt is made again later, once the broker is back
            log.warning("dead-letter topic unreachable", extra={"fields": {"error": repr(exc)}})
            uow.update(notification.id, send_after=now() + LONGEST_WAIT, last_error=reason, leased_until=None)
            return
        uow.update(notification.id, status="failed", attempts=attempts, last_error=reason, leased_until=None)
    else:
        retry = now() + backoff(attempts)
        uow.update(notification.id, attempts=attempts, send_after=retry, last_error=reason, leased_until=None)


def run_channel(runtime: Runtime, channel: Channel, producer: LazyProducer, stop: threading.Event) -> None:
    def dead_letter(source: dict[str, Any], reason: str) -> None:
        topic = dlq_topic(f"{source['type'].split('.')[0]}.events")
        producer.send(topic, 10, value=json_bytes(source), headers=[("error", reason.encode())])

    try:
        while not stop.is_set():
            try:
                if not deliver_due(NotificationsUnitOfWork(runtime), channel, dead_letter):
                    stop.wait(0.1)
            except Exception:  # the sender outlives any one failure; the next round tries again
                log.exception("delivery round failed")
                stop.wait(1.0)
    finally:
        channel.close()


def json_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()
