"""Turns the events the notifications service consumes into messages, and sends them:
`python -m notifications.worker`."""

import logging
import threading

from eventbus.kafka import LazyProducer, producer
from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime
from notifications.bootstrap import bootstrap
from notifications.config import gateways, smtp_server, webhook_allowance
from notifications.consumers import TOPICS, consumers
from notifications.handlers import now, send_digests
from notifications.sender import Channel, Email, Gateway, run_channel
from notifications.unit_of_work import NotificationsUnitOfWork
from notifications.webhooks import Webhook

log = logging.getLogger(__name__)
EMAIL_SENDERS, WEBHOOK_SENDERS, CONSUMED_AT_ONCE = 8, 8, 100


def digests(runtime: Runtime, stop: threading.Event) -> None:
    """Every minute: the managers' daily digests, once their hour has come."""
    while not stop.is_set():
        try:
            send_digests(NotificationsUnitOfWork(runtime), now())
        except Exception:  # the next minute tries again
            log.exception("digest round failed")
        stop.wait(60)


def work(runtime: Runtime, stop: threading.Event) -> None:
    """The consumer loop, a sender thread per channel and the digests' thread."""
    dead_letters = LazyProducer(lambda: producer(runtime.settings.kafka_bootstrap))  # made once needed
    # eight SMTP connections: each is held up by its message's round trips to the server; eight
    # webhook senders, each posting to one destination at a time, however slow it is
    channels: list[Channel] = [Email(*smtp_server()) for _ in range(EMAIL_SENDERS)]
    channels += [Webhook(webhook_allowance()) for _ in range(WEBHOOK_SENDERS)]
    channels += [Gateway(name, url) for name, url in gateways().items()]
    senders = [threading.Thread(target=run_channel, args=(runtime, c, dead_letters, stop)) for c in channels]
    senders.append(threading.Thread(target=digests, args=(runtime, stop)))
    for sender in senders:
        sender.start()
    # What a poll brings can be sent once its transaction commits: small batches start sending sooner.
    runtime.consumer(TOPICS, consumers(runtime), batch=CONSUMED_AT_ONCE).run(stop)
    for sender in senders:
        sender.join()
    dead_letters.close(timeout=2)


if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, lambda stop: work(runtime, stop))
