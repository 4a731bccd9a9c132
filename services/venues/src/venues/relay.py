"""Publishes the venues outbox to Kafka: `python -m venues.relay`."""

from eventbus.process import run_until_signalled
from venues.bootstrap import bootstrap

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.relay().run)
