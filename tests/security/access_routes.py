"""The routes the access matrix must cover: every rule in each service's own Flask route table
(`url_map`), documented or not, less the exemptions named below, each with its reason."""

import functools
import json
import os
import re
import subprocess
import sys
from typing import NamedTuple

from xudong.processes import ROOT
from xudong.stack import SERVICES

# By endpoint name: the skeleton's own routes, in every service (libs/eventbus/src/eventbus/http.py),
# and the one route whose caller proves itself otherwise than by a token.
EXEMPT = {
    "healthz": "liveness: the service's name and 'ok', the same for anyone",
    "readyz": "readiness: whether the database and Kafka answer, the same for anyone",
    "metrics": "Prometheus counters by route template and status, no ids (see test_access.py)",
    "openapi": "the description of the API, the same for anyone",
    "static": "Flask's static files: no service has a static folder, so it serves nothing",
    "booking.stripe_webhook": "Stripe proves itself with a signature (tests/e2e/test_*payments)",
}
# HEAD and OPTIONS Flask answers by itself for every rule: HEAD as the GET, OPTIONS with the methods.
IMPLIED_METHODS = {"HEAD", "OPTIONS"}


class Route(NamedTuple):
    service: str
    method: str
    rule: str  # as Flask writes it: /v1/areas/<uuid:area_id>
    endpoint: str

    @property
    def blank(self) -> tuple[str, str]:
        """The route with its variables blanked, as the matrix's rows are compared with it."""
        return self.method, re.sub(r"<[^>]*>", "{}", self.rule)


# Run apart, as gunicorn runs `<service>:create_app()`: building an app configures logging.
_DUMP = """
import importlib, json, sys
print(json.dumps([
    [service, method, rule.rule, rule.endpoint]
    for service in sys.argv[1:]
    for rule in importlib.import_module(service).create_app().url_map.iter_rules()
    for method in sorted(rule.methods)
]))
"""


@functools.cache
def route_table() -> tuple[Route, ...]:
    """Every route of every service's app, as its url_map has it."""
    built = subprocess.run(
        [sys.executable, "-c", _DUMP, *SERVICES],
        cwd=ROOT,
        env=os.environ | {"XUDONG_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = json.loads(built.stdout.strip().splitlines()[-1])
    return tuple(Route(*row) for row in rows if row[1] not in IMPLIED_METHODS)


def coverage_gaps(
    table: tuple[Route, ...], covered: set[tuple[str, str]], exempt: dict[str, str]
) -> dict[str, set[str]]:
    """What keeps the matrix from covering `table`: routes with no row, rows for no route, and
    exemptions that name no endpoint. All empty when it covers it."""
    routes = {r.blank for r in table if r.endpoint not in exempt}
    return {
        "routes with no row": {" ".join(r) for r in routes - covered},
        "rows for no route": {" ".join(r) for r in covered - routes},
        "exemptions for no route": set(exempt) - {r.endpoint for r in table},
    }


def services_by_route(table: tuple[Route, ...]) -> dict[tuple[str, str], str]:
    """Which service answers each route the matrix covers."""
    found = {r.blank: r.service for r in table if r.endpoint not in EXEMPT}
    assert len(found) == len({(r.service, *r.blank) for r in table if r.endpoint not in EXEMPT}), (
        "two services answer one route: the matrix could not say which it means"
    )
    return found
