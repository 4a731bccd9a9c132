"""Sends what is due, channel by channel, each on its own thread so that a slow or dead channel
never holds up the others. A failure is retried with exponential backoff; after the last attempt
the delivery is marked failed and its event goes to the dead-letter topic with the reason."""

import json
import logging
import smtplib
import threading
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from kafka import KafkaProducer

from eventbus.kafka import dlq_topic
from eventbus.runtime import Runtime
from notifications.handlers import now
from notifications.unit_of_work import NotificationsUnitOfWork

log = logging.getLogger(__name__)
ATTEMPTS = 8
FIRST_RETRY, LONGEST_WAIT = timedelta(seconds=2), timedelta(minutes=2)
SENDER = "Xứ Đông Stages <no-reply@xudong-stages.vn>"


class Undelivered(Exception):
    pass


class Channel(Protocol):
    name: str

    def send(self, notification: Any) -> None: ...


class Email:
    name = "email"

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def send(self, notification: Any) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            SENDER,
            notification.address,
            notification.subject,
        )
        message["Message-ID"] = f"<{notification.id}@xudong-stages.vn>"
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise Undelivered(str(exc)) from exc


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … up to two minutes between attempts."""
    wait: timedelta = FIRST_RETRY * 2 ** (attempts - 1)
    return min(wait, LONGEST_WAIT)


def deliver_due(uow: NotificationsUnitOfWork, channel: Channel, dead_letter: Any) -> int:
    """One round: what is due on the channel is sent, rescheduled or, at the last attempt, failed."""
    with uow:
        due = uow.due(channel.name, now())
        for notification in due:
            attempts = notification.attempts + 1
            try:
                channel.send(notification)
            except Undelivered as exc:
                if attempts >= ATTEMPTS:
                    uow.update(notification.id, status="failed", attempts=attempts, last_error=str(exc))
                    dead_letter(
                        notification.source, f"{channel.name} delivery failed {attempts} times: {exc}"
                    )
                else:
                    retry = now() + backoff(attempts)
                    uow.update(notification.id, attempts=attempts, send_after=retry, last_error=str(exc))
                continue
            uow.update(notification.id, status="sent", attempts=attempts, sent_at=now())
        uow.commit()
    return len(due)


def run_channel(runtime: Runtime, channel: Channel, producer: KafkaProducer, stop: threading.Event) -> None:
    def dead_letter(source: dict[str, Any], reason: str) -> None:
        topic = dlq_topic(f"{source['type'].split('.')[0]}.events")
        producer.send(topic, value=_bytes(source), headers=[("error", reason.encode())]).get(timeout=10)

    while not stop.is_set():
        try:
            if not deliver_due(NotificationsUnitOfWork(runtime), channel, dead_letter):
                stop.wait(0.2)
        except Exception:  # the sender outlives any one failure; the next round tries again
            log.exception("delivery round failed")
            stop.wait(1.0)


def _bytes(source: dict[str, Any]) -> bytes:
    return json.dumps(source, ensure_ascii=False).encode()
