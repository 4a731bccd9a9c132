"""Schemathesis against each service's own /openapi.json: every operation gets generated requests,
valid and invalid, with the token of a role it admits. No answer may be a server error, a status the
document does not list for the operation, another content type or a body that breaks the documented
shape; and a request the document calls invalid must be refused with a 4xx."""

import itertools
import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import token
from xudong.stack import Stack

pytestmark = pytest.mark.stack

SERVICES = ("venues", "booking", "notifications")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# The fuzzer's principals are its own: what it saves under them (contacts, webhooks) concerns nobody
# else, in this run or a later one on the same database. Of what it may create for everyone to see,
# only root areas get through (a venue needs an existing area, a booking an existing space): their
# names are generated, and every other test names its areas with a random tag, so none collide.
FUZZER = f"fuzzer-{uuid.uuid4().hex[:8]}"
# Each request comes from another client behind the tests' proxy, so that the rate limits of the
# booking service neither hide the answers of the operation under test nor count against other tests.
CLIENTS = (f"2001:db8::{n:x}" for n in itertools.count(1))


@pytest.fixture(scope="module", params=SERVICES)
def api_schema(platform: Stack, request: pytest.FixtureRequest) -> Any:
    base = f"http://127.0.0.1:{getattr(platform.ports, request.param)}"
    config = schemathesis.Config.from_dict(
        {
            "seed": 20261127,
            "generation": {"mode": "all", "deterministic": True},
            # methods a path does not have answer 405, which none of the checks above judges
            "phases": {"coverage": {"unexpected-methods": []}},
        }
    )
    return schemathesis.openapi.from_url(f"{base}/openapi.json", config=config, timeout=10)


def credentials(roles: list[str] | None) -> dict[str, str]:
    """A token for the operation's roles, staff's when it may (they see everything), none when it
    needs none."""
    if roles is None:
        return {}
    return token("staff" if "staff" in roles else roles[0], FUZZER)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    database=None,
    # the big bodies (venues, events) are slow to generate on two busy cores; slowness is no finding
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_document_says(case: schemathesis.Case) -> None:
    """Generated requests to one operation get only answers its document describes."""
    headers = credentials(case.operation.definition.raw.get("x-roles")) | {"X-Forwarded-For": next(CLIENTS)}
    case.call_and_validate(headers=headers, checks=CHECKS, timeout=10)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 reads and names each operation's subtest through `_nodeid`, which pytest
    9.2 no longer has (it derives `nodeid`); the attribute, set, serves the subtests' names only."""
    request.node._nodeid = request.node.nodeid
