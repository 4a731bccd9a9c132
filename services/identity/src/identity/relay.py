"""Publishes the identity outbox to Kafka: `python -m identity.relay`."""

from eventbus.process import run_until_signalled
from identity.bootstrap import bootstrap

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.relay().run)
