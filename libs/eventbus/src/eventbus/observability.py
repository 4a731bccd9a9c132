"""What every service's API tells its operators: a log line and metrics per request, with a
correlation id; health, readiness and Prometheus metrics routes."""

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, Response, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from eventbus.logs import correlation_id
from eventbus.settings import Settings

log = logging.getLogger(__name__)
CORRELATION_HEADER = "X-Correlation-ID"
REQUESTS = Counter("http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"])


def _metrics() -> Response:
    registry = REGISTRY
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # several gunicorn workers: add up all of them
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _broker_reachable(bootstrap: str) -> bool:
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return True
        except OSError:
            continue
    return False


# Path variables that admit their bearer (a ticket's code): never written to a log. Query strings
# (an order's ?token=) and headers (X-Order-Token, Authorization) are not logged at all.
SECRET_PATH_PARTS = frozenset({"code"})


def _logged_path() -> str:
    secrets = {str(v) for name, v in (request.view_args or {}).items() if name in SECRET_PATH_PARTS}
    return "/".join("[redacted]" if part in secrets else part for part in request.path.split("/"))


def service_readiness(engine: sa.Engine, settings: Settings) -> Callable[[], dict[str, bool]]:
    """A service with a database and a broker is ready when it reaches both."""

    def checks() -> dict[str, bool]:
        found = {"database": True, "kafka": _broker_reachable(settings.kafka_bootstrap)}
        try:
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            found["database"] = False
        return found

    return checks


def install_observability(app: Flask, service: str, readiness: Callable[[], dict[str, bool]]) -> None:
    @app.before_request
    def start() -> None:
        g.started = time.perf_counter()
        g.correlation_token = correlation_id.set(request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4()))

    @app.after_request
    def finish(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        REQUESTS.labels(request.method, route, response.status_code).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        fields = {"method": request.method, "path": _logged_path(), "status": response.status_code}
        log.info("request answered", extra={"fields": {**fields, "ms": round(elapsed * 1000, 1)}})
        response.headers[CORRELATION_HEADER] = correlation_id.get()
        return response

    @app.teardown_request
    def forget(_: BaseException | None) -> None:
        if "correlation_token" in g:
            correlation_id.reset(g.correlation_token)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", service=service)

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks = readiness()
        ready = all(checks.values())
        return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503

    app.add_url_rule("/metrics", "metrics", _metrics)
