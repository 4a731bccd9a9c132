"""Turns the events the notifications service consumes into messages, and sends them:
`python -m notifications.worker`."""

import threading

from eventbus.kafka import producer
from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime
from notifications.bootstrap import bootstrap
from notifications.config import smtp_server
from notifications.consumers import TOPICS, consumers
from notifications.sender import Email, run_channel


def work(runtime: Runtime, stop: threading.Event) -> None:
    dead_letters = producer(runtime.settings.kafka_bootstrap)
    senders = [
        threading.Thread(target=run_channel, args=(runtime, Email(*smtp_server()), dead_letters, stop))
    ]
    for sender in senders:
        sender.start()
    runtime.consumer(TOPICS, consumers(runtime)).run(stop)
    for sender in senders:
        sender.join()
    dead_letters.close(timeout=2)


if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, lambda stop: work(runtime, stop))
