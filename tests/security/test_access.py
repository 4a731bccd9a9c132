"""Who may read and change what (OWASP API1, broken object level authorisation, and API3, broken
object property level authorisation): every route of every service against every party, one cell
each, from the table in access_matrix.py. A party let in succeeds and its write does what it says;
a refusal changes nothing, whoever's data it would have touched; a read shows a party's data only
to those the table names. The controls that need no stack are in test_access_controls.py."""

import uuid
from typing import Any

import pytest
import requests

from conftest import eventually
from tests.e2e.ticket_fixtures import somewhere
from tests.security.access_fresh import FRESH
from tests.security.access_matrix import (
    BODIES,
    DONE,
    MATRIX,
    OAUTH_REFUSALS,
    PRIVATE,
    SNAPSHOTS,
    Row,
    faults,
)
from tests.security.access_routes import EXEMPT, PROTOCOL, route_table, services_by_route
from tests.security.access_world import ACCOUNTS, ROLES, RUNS, World
from xudong.stack import SERVICES

pytestmark = pytest.mark.stack

PROBLEM = "application/problem+json"
CELLS = [pytest.param(row, role, id=f"{row.key} | {role}") for row in MATRIX for role in ROLES]
SERVICE_OF = services_by_route(route_table())


def cell_world(world: World, row: Row, role: str) -> World:
    """The world as the cell sees it: with an object of its own where the row moves one on."""
    return FRESH[row.key](world, role) if row.key in FRESH else world


def call(w: World, row: Row, role: str, body: Any = None) -> requests.Response:
    """The row's request as the party sends it, from an address of its own (no rate limit meets it)."""
    return requests.request(
        row.method,
        w.url(SERVICE_OF[row.route], row.path),
        json=body,
        headers=w.headers[role] | somewhere(),
        timeout=30,
    )


def _in_oauths_words(row: Row, answer: requests.Response) -> bool:
    """An OAuth refusal of a bearer token: its `error` in JSON and in WWW-Authenticate."""
    if row.key not in OAUTH_REFUSALS or answer.headers["Content-Type"] != "application/json":
        return False
    error = answer.json().get("error")
    return bool(error) and f'error="{error}"' in answer.headers.get("WWW-Authenticate", "")


def check_cell(w: World, row: Row, role: str) -> tuple[requests.Response, list[str]]:
    """The cell's answer and what is wrong with it: its status, what a write changed (or did not),
    its problem document, and what a read showed to whom."""
    snapshot = SNAPSHOTS.get(row.key)
    before = snapshot(w) if snapshot else None
    answer = call(w, row, role, BODIES[row.key](w, role) if row.key in BODIES else None)
    change = (before, snapshot(w)) if snapshot else None
    found = faults(row.expected[role], answer.status_code, change, DONE.get(row.key))
    if (
        answer.status_code >= 400
        and answer.headers["Content-Type"] != PROBLEM
        and not _in_oauths_words(row, answer)
    ):
        found.append(f"a refusal as {answer.headers['Content-Type']}, not a problem document")
    if answer.status_code == 401 and not answer.headers.get("WWW-Authenticate", "").startswith("Bearer"):
        found.append("a 401 that does not say what to send (WWW-Authenticate: Bearer, RFC 6750 §3)")
    for name, readers in PRIVATE.get(row.key, {}).items():
        if (w.ids[name] in answer.text) != (role in readers):
            found.append(
                f"{name} {'' if role in readers else 'not '}meant for {role}, and shown the other way"
            )
    return answer, found


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_cell(world: World, row: Row, role: str) -> None:
    """One party on one route gets the answer the table gives: let in, it succeeds and its write is
    done; refused, nothing changes; a read shows it only what is its to see."""
    answer, found = check_cell(cell_world(world, row, role), row, role)
    assert found == [], answer.text


# --- the matrix's own controls ----------------------------------------------------------------------
def _row(key: str) -> Row:
    return next(row for row in MATRIX if row.key == key)


# Each case, with what its object reads once the first call's consequences have all landed: an
# approved request of a venue without fee goes on, through the saga, to confirmed, and if that
# step landed between the second call's two snapshots it read as that call's change (a flaky
# failure: "answered 409 and changed [('approved',)] to [('confirmed',)]").
MOVED_ON: dict[str, tuple[str, str, Any]] = {
    "an order its buyer already cancelled": ("POST /v1/orders/{order}/cancel", "guest", None),
    "a draft already published": ("POST /v1/events/{to_publish}/publish", "org_a", None),
    "a request already decided": (
        "POST /v1/schedule-entries/{entry_approve_b}/approve",
        "mgr_x",
        [("confirmed",)],
    ),
}


@pytest.mark.parametrize("case", MOVED_ON, ids=str)
def test_a_cell_let_in_on_an_object_already_moved_on_fails(world: World, case: str) -> None:
    """The defect the fresh objects cure: a party let in whose object an earlier cell already moved
    on gets 409, and the cell fails instead of passing as "in"."""
    key, role, settled = MOVED_ON[case]
    row = _row(key)
    w = cell_world(world, row, role)
    first, found = check_cell(w, row, role)
    assert found == [], first.text
    if settled is not None:
        eventually(lambda: SNAPSHOTS[row.key](w) == settled, timeout=60)
    again, found = check_cell(w, row, role)
    assert again.status_code == 409, again.text
    assert found == ["answered 409: the party let in is not shown to succeed"]


def test_a_payment_for_a_booking_never_approved_fails_its_cell(world: World) -> None:
    """The other way a cell let in never succeeded: A's spare request is held, not approved, so
    paying for it is 409, and the payment row's cell fails on it."""
    answer, found = check_cell(world, _row("POST /v1/venue-bookings/{spare_a}/payment"), "org_a")
    assert answer.status_code == 409, answer.text
    assert found == ["answered 409: the party let in is not shown to succeed"]


def test_a_second_sign_in_code_within_the_minute_fails_its_cell(world: World) -> None:
    """Why each sign-in-code cell has an account of its own: asked again within the minute, the
    provider answers the same 202 and sends nothing, and the cell fails on it."""
    row = _row("POST /v1/sign-in-codes")
    w = cell_world(world, row, "anon")
    first, found = check_cell(w, row, "anon")
    assert found == [], first.text
    again, found = check_cell(w, row, "anon")
    assert again.status_code == 202, again.text
    assert found == ["answered 202 and changed nothing"]


def test_each_party_holds_an_account_of_the_role_its_token_carries(world: World) -> None:
    """The parties' tokens are the development key's, but what they name is real: an account with
    its address proven, of the token's role, and for a manager the venue the token names."""
    for party, role in ACCOUNTS.items():
        me = world.get("identity", "/v1/me", party).json()
        venues = [world.ids[RUNS[party]]] if party in RUNS else []
        assert (me["user_id"], me["email"], me["email_verified"]) == (
            world.subs[party],
            world.ids[f"{party}_email"],
            True,
        ), party
        assert (me["role"], me["venues"]) == (role, venues), party


OWN_IDENTITY = ["POST /v1/venue-bookings", "POST /v1/webhooks"]


@pytest.mark.parametrize("key", OWN_IDENTITY)
def test_a_write_under_an_identity_not_as_is_seen_by_the_snapshot(world: World, key: str) -> None:
    """A refused party's write would be made under its own identity, not A's: the snapshot of a row
    that makes something sees a write made under B's (B may make one), so it would see theirs."""
    row = _row(key)
    before = SNAPSHOTS[key](world)
    made = call(world, row, "org_b", BODIES[key](world, "org_b"))
    assert made.status_code == row.expected["org_b"], made.text
    assert SNAPSHOTS[key](world) != before


def _private(world: World) -> dict[str, str]:
    """The world's values no route answers everyone with: titles, emails, tokens, ids."""
    private = {
        name: value for name, value in world.ids.items() if name.endswith(("_title", "_email", "_token"))
    }
    private |= {f"sub of {party}": sub for party, sub in world.subs.items()}
    return private | {
        name: world.ids[name] for name in ("booking_a", "spare_a", "pending_b", "order", "draft", "code")
    }


def test_the_exempt_routes_answer_alike_and_show_nothing_of_anyones(world: World) -> None:
    """The skeleton's routes, kept out of the matrix by name, answer anyone the same and hold none
    of the world's private values: no party's ids, titles, emails or tokens."""
    private = _private(world)
    paths = {"healthz": "/healthz", "readyz": "/readyz", "metrics": "/metrics", "openapi": "/openapi.json"}
    paths["static"] = f"/static/{uuid.uuid4().hex}.txt"
    assert set(paths) | {"booking.stripe_webhook"} | set(PROTOCOL) == set(EXEMPT)
    for service in SERVICES:
        for endpoint, path in paths.items():
            answers = {role: world.get(service, path, role) for role in ("anon", "org_a", "staff")}
            statuses = {role: answer.status_code for role, answer in answers.items()}
            assert set(statuses.values()) == {404 if endpoint == "static" else 200}, (service, path, statuses)
            shown = [name for name, value in private.items() for a in answers.values() if value in a.text]
            assert shown == [], (service, path)


@pytest.mark.parametrize("endpoint", PROTOCOL, ids=str)
def test_the_oauth_endpoints_answer_every_token_alike_and_show_nothing_of_anyones(
    world: World, endpoint: str
) -> None:
    """The provider's endpoints kept out of the matrix by name read no bearer token: asked without
    what their protocol wants, each answers the same to every party, and shows none of the world's
    private values, whoever's token comes with the request."""
    for method in ("GET", "POST"):
        answers = {
            role: requests.request(
                method, world.url("identity", PROTOCOL[endpoint]), headers=world.headers[role], timeout=10
            )
            for role in ("anon", "org_a", "staff", "buyer")
        }
        statuses = {role: answer.status_code for role, answer in answers.items()}
        assert len(set(statuses.values())) == 1, (method, statuses)
        shown = [name for name, value in _private(world).items() for a in answers.values() if value in a.text]
        assert shown == [], (method, shown)


# --- API3: a write cannot say whose the object is, nor set what only the platform sets --------------
FOREIGN_FIELDS = ("organiser_id", "buyer_id", "recipient", "owner_id", "paid_amount")
WRITES = [row for row in MATRIX if row.key in BODIES]


def _let_in(row: Row) -> str:
    """The first party the row does not refuse: one whose own fields are the ones to forge."""
    return next(r for r in ROLES if row.expected[r] not in (401, 403, 404, 422))


@pytest.mark.parametrize("row", WRITES, ids=lambda row: row.key)
def test_no_write_takes_fields_that_say_whose_it_is(world: World, row: Row) -> None:
    """A party let in who adds owner or payment fields to an otherwise good body is refused with
    a 422 naming each field, and nothing changes."""
    role = _let_in(row)
    w = cell_world(world, row, role)
    before = SNAPSHOTS[row.key](w)
    forged = BODIES[row.key](w, role) | {name: w.ids["sub_b"] for name in FOREIGN_FIELDS}
    answer = call(w, row, role, forged)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM
    assert set(FOREIGN_FIELDS) <= set(answer.json()["errors"]), answer.text
    assert SNAPSHOTS[row.key](w) == before
