"""Entry points for long-running workers: JSON logs, and a clean stop on SIGTERM or Ctrl-C."""

import signal
import threading
from collections.abc import Callable

from eventbus.logs import configure_logging
from eventbus.settings import Settings


def run_until_signalled(settings: Settings, work: Callable[[threading.Event], None]) -> None:
    configure_logging(settings.service, settings.log_level)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    work(stop)
