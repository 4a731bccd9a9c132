"""The access matrix's controls that need no stack: its coverage is judged against each service's
own Flask route table, and its verdict on a cell fails what the defects it names would let pass."""

from typing import Any

import pytest

from tests.security.access_matrix import MATRIX, faults
from tests.security.access_routes import EXEMPT, Route, coverage_gaps, route_table
from xudong.stack import SERVICES

COVERED = {row.route for row in MATRIX}
NO_GAPS: dict[str, set[str]] = {
    "routes with no row": set(),
    "rows for no route": set(),
    "exemptions for no route": set(),
}


def test_the_matrix_covers_every_route_of_every_service() -> None:
    """A route added to a service without its row fails this test, documented or not; so do a row
    whose route is gone and an exemption whose endpoint is gone."""
    assert coverage_gaps(route_table(), COVERED, EXEMPT) == NO_GAPS


def test_the_route_table_is_each_apps_own_with_its_undocumented_routes() -> None:
    """The routes are Flask's, not the OpenAPI documents': the skeleton's routes, which no document
    names, are in every service's table."""
    table = {(r.service, r.method, r.rule) for r in route_table()}
    for service in SERVICES:
        for rule in ("/metrics", "/healthz", "/readyz", "/openapi.json", "/static/<path:filename>"):
            assert (service, "GET", rule) in table, (service, rule)


def test_an_undocumented_route_added_to_a_copy_of_the_table_is_caught() -> None:
    """What a route with no row, a row with no route, and a stale exemption look like."""
    table = route_table()
    hidden = Route("venues", "GET", "/v1/venues/<uuid:venue_id>/export", "venues.export")
    assert coverage_gaps((*table, hidden), COVERED, EXEMPT)["routes with no row"] == {
        "GET /v1/venues/{}/export"
    }
    unexempt = {name: why for name, why in EXEMPT.items() if name != "metrics"}
    assert coverage_gaps(table, COVERED, unexempt)["routes with no row"] == {"GET /metrics"}
    gone = tuple(r for r in table if r.endpoint != "venues.add_blackout")
    assert coverage_gaps(gone, COVERED, EXEMPT)["rows for no route"] == {"POST /v1/spaces/{}/blackouts"}
    renamed = EXEMPT | {"booking.stripe_hook": "a name no endpoint has"}
    assert coverage_gaps(table, COVERED, renamed)["exemptions for no route"] == {"booking.stripe_hook"}


CASES: dict[str, tuple[tuple[Any, ...], list[str]]] = {
    "let in, succeeds, done": (("in", 200, ("held", "cancelled"), lambda s: s == "cancelled"), []),
    "let in, 409": (
        ("in", 409, ("held", "held")),
        ["answered 409: the party let in is not shown to succeed"],
    ),
    "let in, 201, nothing changed": (("in", 201, ([1], [1])), ["answered 201 and changed nothing"]),
    "let in, 200, not what it says": (
        ("in", 200, ("held", "expired"), lambda s: s == "cancelled"),
        ["answered 200 but did not do it: 'expired'"],
    ),
    "exact 202 that changed nothing": ((202, 202, ([1], [1])), ["answered 202 and changed nothing"]),
    "refused, unchanged": ((403, 403, ([1], [1])), []),
    "refused, but changed": ((403, 403, ([1], [1, 2])), ["answered 403 and changed [1] to [1, 2]"]),
    "refused with another status": ((404, 403, ([1], [1])), ["answered 403, not 404"]),
    "a read": ((200, 200), []),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_cells_verdict(case: str) -> None:
    """A party let in must succeed and do what it says; a refusal must change nothing."""
    arguments, wanted = CASES[case]
    assert faults(*arguments) == wanted
