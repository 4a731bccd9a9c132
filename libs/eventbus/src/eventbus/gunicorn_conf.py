"""gunicorn settings every service's API runs with: `gunicorn -c python:eventbus.gunicorn_conf`."""

import os
from typing import Any

from prometheus_client import multiprocess

graceful_timeout = 5
# Request lines of any length reach the app, which refuses one too long in its own words (414
# problem+json, eventbus.http.MAX_URL) rather than in gunicorn's HTML.
limit_request_line = 0


def child_exit(server: Any, worker: Any) -> None:
    """A worker that exits leaves its gauges behind unless it is marked dead."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
