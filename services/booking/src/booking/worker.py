"""Applies the events the booking service consumes: `python -m booking.worker`."""

from booking.bootstrap import bootstrap
from booking.consumers import HANDLERS, TOPICS
from eventbus.process import run_until_signalled

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.consumer(TOPICS, HANDLERS).run)
