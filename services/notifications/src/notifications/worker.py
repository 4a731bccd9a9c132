"""Turns the events the notifications service consumes into messages, and sends them:
`python -m notifications.worker`."""

import threading

from eventbus.kafka import producer
from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime
from notifications.bootstrap import bootstrap
from notifications.config import gateways, smtp_server
from notifications.consumers import TOPICS, consumers
from notifications.sender import Channel, Email, Gateway, Webhook, run_channel

EMAIL_SENDERS = 4


def work(runtime: Runtime, stop: threading.Event) -> None:
    """The consumer loop, and a sender thread per channel."""
    dead_letters = producer(runtime.settings.kafka_bootstrap)
    # four SMTP connections: one is held up by each message's round trip to the server
    channels: list[Channel] = [Email(*smtp_server()) for _ in range(EMAIL_SENDERS)] + [Webhook(runtime)]
    channels += [Gateway(name, url) for name, url in gateways().items()]
    senders = [threading.Thread(target=run_channel, args=(runtime, c, dead_letters, stop)) for c in channels]
    for sender in senders:
        sender.start()
    runtime.consumer(TOPICS, consumers(runtime)).run(stop)
    for sender in senders:
        sender.join()
    dead_letters.close(timeout=2)


if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, lambda stop: work(runtime, stop))
