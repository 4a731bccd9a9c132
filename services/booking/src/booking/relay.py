"""Publishes the booking outbox to Kafka: `python -m booking.relay`."""

from booking.bootstrap import bootstrap
from eventbus.process import run_until_signalled

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.relay().run)
