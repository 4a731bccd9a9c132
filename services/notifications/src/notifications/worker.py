"""Applies the events the notifications service consumes: `python -m notifications.worker`."""

from eventbus.process import run_until_signalled
from notifications.bootstrap import bootstrap
from notifications.consumers import HANDLERS, TOPICS

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.consumer(TOPICS, HANDLERS).run)
