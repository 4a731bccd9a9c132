"""Applies the events the venues service consumes: `python -m venues.worker`."""

from eventbus.process import run_until_signalled
from venues.bootstrap import bootstrap
from venues.consumers import TOPICS, consumers

if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, runtime.consumer(TOPICS, consumers(runtime)).run)
