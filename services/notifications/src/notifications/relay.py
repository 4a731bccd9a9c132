"""Publishes the notifications outbox to Kafka: `python -m notifications.relay`."""

from eventbus.process import run_until_signalled
from notifications.bootstrap import bootstrap

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.relay().run)
