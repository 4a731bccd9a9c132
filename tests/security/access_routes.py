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

# The identity provider's endpoints that read no bearer token: who calls them proves themselves by
# OAuth's and OpenID Connect's own means, which the end-to-end tests drive. Each view, its path
# (test_access.py asks every party there, to show they answer every token alike), and how.
_PROVIDER = (
    (
        "authorize",
        "/authorize",
        "OAuth's authorization endpoint: the person signs in on its pages, by password or emailed"
        " code and a second factor, CSRF-checked (tests/e2e/test_sign_up.py, test_sign_in.py)",
    ),
    (
        "token",
        "/token",
        "OAuth's token endpoint: the client proves itself by a code and its PKCE verifier, or by a"
        " refresh token that rotates (tests/e2e/test_sign_up.py)",
    ),
    (
        "logout",
        "/logout",
        "RP-initiated logout: by the ID token as a hint, or the person's confirmation in a"
        " CSRF-checked form (tests/e2e/test_sign_up.py)",
    ),
    (
        "verify_email",
        "/verify-email",
        "the emailed link's token is the proof, used once by the page's button"
        " (tests/e2e/identity_flows.py verify_by_email)",
    ),
    (
        "reset_password",
        "/reset-password",
        "the emailed link's token is the proof, used once with the new one; without a token, the"
        " CSRF-checked form that asks for a link, the same answer for any address"
        " (tests/e2e/test_sign_in.py)",
    ),
)
PROTOCOL = {f"provider.{view}": path for view, path, _ in _PROVIDER}
# By endpoint name: the skeleton's own routes, in every service (libs/eventbus/src/eventbus/http.py),
# and the routes whose caller proves itself otherwise than by a token.
EXEMPT = {
    "healthz": "liveness: the service's name and 'ok', the same for anyone",
    "readyz": "readiness: whether the database and Kafka answer, the same for anyone",
    "metrics": "Prometheus counters by route template and status, no ids (see test_access.py)",
    "openapi": "the description of the API, the same for anyone",
    "static": "Flask's static files: no service has a static folder, so it serves nothing",
    "booking.stripe_webhook": "Stripe proves itself with a signature (tests/e2e/test_*payments)",
} | {f"provider.{view}": why for view, _, why in _PROVIDER}
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
