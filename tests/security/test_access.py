"""Who may read and change what (OWASP API1, broken object level authorisation, and API3, broken
object property level authorisation): every route of every service against every party, one cell
each, from the table below. A refusal changes nothing; a read shows a party's data only to those
the table names. Beside the matrix: order tokens and ticket codes cannot be guessed or enumerated,
no secret is in the repository or the logs, and no card data can reach the platform."""

import hashlib
import json
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from booking.domain.ticketing import new_code, new_order_token
from conftest import receiver_port, token
from eventbus.settings import DEV_JWT_SECRET
from tests.e2e.ticket_fixtures import VISA, event_body, free, order, signed_qr, somewhere
from tests.e2e.venue_fixtures import request_body, rules, slot
from tests.security.access_world import FAR_DAYS, ROLES, World, make_world, turn
from xudong.stack import LOCAL_STRIPE_KEY, LOCAL_WEBHOOK_SECRET, ROOT, SERVICES, Stack, jwt_secret

pytestmark = pytest.mark.stack

PROBLEM = "application/problem+json"
# The only routes no party owns anything behind: the skeleton's own (not in the OpenAPI documents)
# and Stripe's webhook, whose callers prove themselves with a signature (tests/e2e/test_*payments).
PUBLIC = {("POST", "/v1/stripe/webhook")}

# Parties: anon (no credentials), org_a and org_b (organisers), mgr_x and mgr_y (managers of venue
# X and venue Y), staff (the department), guest (holds the token of {order}) and other (holds the
# token of {other_order}, another guest's). The names in braces are objects of the world, mostly
# A's (see access_world.py). A cell is the exact status, or "in": the party passes the access check
# and the object may change, so 2xx, or 409 when an earlier cell already moved it on. Any other
# cell leaves the object as it was.
MATRIX_TABLE = """
route                                                   anon org_a org_b mgr_x mgr_y staff guest other
GET    /v1/areas                                         200  200   200   200   200   200   200   200
GET    /v1/areas/{area}                                  200  200   200   200   200   200   200   200
PATCH  /v1/areas/{area}                                  401  403   403   403   403   in    401   401
POST   /v1/areas                                         401  403   403   403   403   in    401   401
POST   /v1/venues                                        401  403   403   403   403   in    401   401
GET    /v1/venues                                        200  200   200   200   200   200   200   200
GET    /v1/venues/{venue_x}                              200  200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}                              200  200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}/schedule?{window}            200  200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}/schedule.ics?{window}        200  200   200   200   200   200   200   200
GET    /v1/availability?{window}                         200  200   200   200   200   200   200   200
POST   /v1/spaces/{space_x}/blackouts                    401  403   403   in    404   in    401   401
GET    /v1/review-queue                                  401  403   403   200   200   200   401   401
POST   /v1/schedule-entries/{entry_approve_b}/approve    401  403   403   in    404   in    401   401
POST   /v1/schedule-entries/{entry_reject_b}/reject      401  403   403   in    404   in    401   401
POST   /v1/venue-bookings                                401  in    202   403   403   403   401   401
GET    /v1/venue-bookings                                401  200   200   403   403   200   401   401
GET    /v1/venue-bookings/{booking_a}                    401  200   404   403   403   200   401   401
POST   /v1/venue-bookings/{spare_a}/payment              401  in    404   403   403   in    401   401
POST   /v1/venue-bookings/{spare_a}/cancel               401  in    404   403   403   in    401   401
POST   /v1/events                                        401  in    422   403   403   403   401   401
GET    /v1/events                                        200  200   200   200   200   200   200   200
GET    /v1/events/{event}                                200  200   200   200   200   200   200   200
GET    /v1/events/{draft}                                404  200   404   404   404   200   404   404
PATCH  /v1/events/{draft}                                401  in    404   403   403   in    401   401
POST   /v1/events/{to_publish}/publish                   401  in    404   403   403   in    401   401
POST   /v1/events/{to_cancel}/cancel                     401  in    404   403   403   in    401   401
GET    /v1/events/{event}/availability                   200  200   200   200   200   200   200   200
GET    /v1/events/{event}/seats                          200  200   200   200   200   200   200   200
POST   /v1/events/{event}/waiting-list                   409  409   409   409   409   409   409   409
POST   /v1/orders                                        201  201   201   201   201   201   201   201
GET    /v1/orders/{order}                                404  404   404   404   404   200   200   404
GET    /v1/orders/{order_b}                              404  404   200   404   404   200   404   404
POST   /v1/orders/{order}/payment                        404  404   404   404   404   in    in    404
POST   /v1/orders/{order}/cancel                         404  404   404   404   404   in    in    404
GET    /v1/tickets/{code}                                200  200   200   200   200   200   200   200
GET    /v1/tickets/{code}/qr.svg                         200  200   200   200   200   200   200   200
GET    /v1/refunds?state=needs_attention                 401  403   403   403   403   200   401   401
POST   /v1/checkins                                      401  in    403   in    403   in    401   401
POST   /v1/checkins#draft                                401  in    404   in    404   in    401   401
PUT    /v1/contacts/me                                   401  in    200   200   200   200   401   401
GET    /v1/contacts/me                                   401  200   200   200   200   200   401   401
POST   /v1/webhooks                                      401  in    201   403   403   403   401   401
GET    /v1/notifications?limit=100                       401  200   200   200   200   200   401   401
GET    /v1/notifications?limit=100&recipient={sub_a}     401  200   200   200   200   200   401   401
POST   /v1/notifications/{note_a}/read                   401  in    404   404   404   in    401   401
"""


def named(word: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    return {"vi": f"{word} {tag}", "en": f"{word} {tag}"}


def _new_venue(w: World, role: str) -> dict[str, Any]:
    hall = {"key": "hall", "name": named("Sân"), "layout": {"kind": "general_admission", "capacity": 50}}
    return {
        "key": f"access-{uuid.uuid4().hex[:8]}",
        "name": named("Nhà văn hóa"),
        "kind": "creative_space",
        "area_id": w.ids["area"],
        "address": "2 Đường Thử",
        "status": "active",
        "funding_model": "public",
        "operator": "UBND",
        "spaces": [hall | {"rules": rules()}],
    }


def _new_event(w: World, role: str) -> dict[str, Any]:
    booked = datetime.fromisoformat(w.ids["booking_a_start"])
    return event_body(w.ids["booking_a"], booked, [free(10)], sessions=turn(booked, 4))  # after the drafts


def _check_in(event: str) -> Callable[[World, str], dict[str, Any]]:
    """The organisers scan the QR; the venue's manager and staff may type the code."""

    def body(w: World, role: str) -> dict[str, Any]:
        ticket = {"qr": signed_qr(w.ids["code"])} if role.startswith("org") else {"code": w.ids["code"]}
        return {"event_id": w.ids[event], "gate": "cổng 1"} | ticket

    return body


BLACKOUT = slot(days=200, hour=2, hours=1)
# What each write sends, by row, for the party that sends it.
BODIES: dict[str, Callable[[World, str], Any]] = {
    "PATCH /v1/areas/{area}": lambda w, role: {"name": named("Vùng")},
    "POST /v1/areas": lambda w, role: {"level": "province", "name": named("Tỉnh")},
    "POST /v1/venues": _new_venue,
    "POST /v1/spaces/{space_x}/blackouts": lambda w, role: {
        "start": BLACKOUT[0],
        "end": BLACKOUT[1],
        "reason": "Bảo trì",
    },
    "POST /v1/schedule-entries/{entry_approve_b}/approve": lambda w, role: {},
    "POST /v1/schedule-entries/{entry_reject_b}/reject": lambda w, role: {"reason": "Trùng lễ hội"},
    "POST /v1/venue-bookings": lambda w, role: request_body(
        w.ids["space_y"], *slot(days=next(FAR_DAYS), hour=10, hours=2)
    ),
    "POST /v1/venue-bookings/{spare_a}/payment": lambda w, role: {},
    "POST /v1/venue-bookings/{spare_a}/cancel": lambda w, role: {},
    "POST /v1/events": _new_event,
    "PATCH /v1/events/{draft}": lambda w, role: {"description": named("Mô tả"), "reason": "rõ hơn"},
    "POST /v1/events/{to_publish}/publish": lambda w, role: {},
    "POST /v1/events/{to_cancel}/cancel": lambda w, role: {"reason": "mưa bão"},
    "POST /v1/events/{event}/waiting-list": lambda w, role: {
        "ticket_type_id": w.ids["type"],
        "email": f"queue-{uuid.uuid4().hex[:8]}@example.vn",
    },
    "POST /v1/orders": lambda w, role: {
        "event_id": w.ids["event"],
        "email": f"buyer-{uuid.uuid4().hex[:8]}@example.vn",
        "items": [{"ticket_type_id": w.ids["type"], "quantity": 1}],
    },
    "POST /v1/orders/{order}/payment": lambda w, role: {},
    "POST /v1/orders/{order}/cancel": lambda w, role: {},
    "POST /v1/checkins": _check_in("event"),
    "POST /v1/checkins#draft": _check_in("draft"),
    "PUT /v1/contacts/me": lambda w, role: {
        "email": w.ids.get(f"{role}_email", "nobody@example.vn"),
        "language": "en",
    },
    # the tests' receiver: the one private destination the test platform lets a webhook reach
    "POST /v1/webhooks": lambda w, role: {"url": f"http://127.0.0.1:{receiver_port()}/hooks/access"},
    "POST /v1/notifications/{note_a}/read": lambda w, role: {},
}

MGR_X_AND_STAFF = {"mgr_x", "staff"}
# Reads: which data (by its name in the world) each row may show, and to whom; to anyone else it
# must not show. A party named here who is let in must see it: the read is shown to work.
PRIVATE: dict[str, dict[str, set[str]]] = {
    "GET /v1/spaces/{space_x}/schedule?{window}": {
        "booking_a": MGR_X_AND_STAFF,
        "booking_a_title": MGR_X_AND_STAFF,
    },
    "GET /v1/spaces/{space_x}/schedule.ics?{window}": {"booking_a_title": MGR_X_AND_STAFF},
    "GET /v1/review-queue": {"pending_b": MGR_X_AND_STAFF, "pending_y": {"mgr_y", "staff"}},
    "GET /v1/venue-bookings": {"booking_a": {"org_a", "staff"}, "pending_b": {"org_b", "staff"}},
    "GET /v1/venue-bookings/{booking_a}": {"booking_a_title": {"org_a", "staff"}},
    "GET /v1/events": {"draft": set()},
    "GET /v1/events/{draft}": {"draft_title": {"org_a", "staff"}},
    "GET /v1/events/{event}/availability": {"order_email": set(), "other_order_email": set()},
    "GET /v1/events/{event}/seats": {"order_email": set(), "other_order_email": set()},
    "GET /v1/orders/{order}": {"order_email": {"guest", "staff"}},
    "GET /v1/orders/{order_b}": {"order_b_email": {"org_b", "staff"}},
    "GET /v1/tickets/{code}": {"other_order_email": set()},
    "GET /v1/contacts/me": {"org_a_email": {"org_a"}, "org_b_email": {"org_b"}},
    "GET /v1/notifications?limit=100": {"note_a": {"org_a"}},
    "GET /v1/notifications?limit=100&recipient={sub_a}": {"note_a": {"org_a", "staff"}},
}


def _entry_status(entry: str) -> Callable[[World], Any]:
    def status(w: World) -> Any:
        items = w.get("venues", "/v1/spaces/{space_x}/schedule?{window}", "staff").json()["items"]
        return [e["status"] for e in items if e["id"] == w.ids[entry]]

    return status


def _as_a(service: str, path: str) -> Callable[[World], Any]:
    return lambda w: w.get(service, path, "org_a").json()


def _order_row(w: World) -> Any:
    sql = "SELECT status, payment_intent_id, refunded_amount FROM orders WHERE id = :id"
    return w.query("booking", sql, id=w.ids["order"])


def _tickets_of_other_order(w: World) -> Any:
    sql = "SELECT code, checked_in_at, checked_in_gate FROM tickets WHERE order_id = :id ORDER BY code"
    return w.query("booking", sql, id=w.ids["other_order"])


# Writes: what must stay as it was when a party the table does not let in ("in") calls the row.
SNAPSHOTS: dict[str, Callable[[World], Any]] = {
    "PATCH /v1/areas/{area}": lambda w: w.get("venues", "/v1/areas/{area}", "anon").json(),
    "POST /v1/areas": lambda w: len(w.get("venues", "/v1/areas", "anon").json()["items"]),
    "POST /v1/venues": lambda w: w.query("venues", "SELECT count(*) FROM venues"),
    "POST /v1/spaces/{space_x}/blackouts": lambda w: w.get(
        "venues", f"/v1/spaces/{{space_x}}/schedule?{_window(BLACKOUT)}", "staff"
    ).json()["items"],
    "POST /v1/schedule-entries/{entry_approve_b}/approve": _entry_status("entry_approve_b"),
    "POST /v1/schedule-entries/{entry_reject_b}/reject": _entry_status("entry_reject_b"),
    "POST /v1/venue-bookings": lambda w: sorted(
        b["id"] for b in w.get("booking", "/v1/venue-bookings", "org_a").json()["items"]
    ),
    "POST /v1/venue-bookings/{spare_a}/payment": _as_a("booking", "/v1/venue-bookings/{spare_a}"),
    "POST /v1/venue-bookings/{spare_a}/cancel": _as_a("booking", "/v1/venue-bookings/{spare_a}"),
    "POST /v1/events": lambda w: w.query(
        "booking", "SELECT id FROM events WHERE venue_booking_id = :b ORDER BY id", b=w.ids["booking_a"]
    ),
    "PATCH /v1/events/{draft}": _as_a("booking", "/v1/events/{draft}"),
    "POST /v1/events/{to_publish}/publish": _as_a("booking", "/v1/events/{to_publish}"),
    "POST /v1/events/{to_cancel}/cancel": _as_a("booking", "/v1/events/{to_cancel}"),
    "POST /v1/orders/{order}/payment": _order_row,
    "POST /v1/orders/{order}/cancel": _order_row,
    "POST /v1/checkins": _tickets_of_other_order,
    "POST /v1/checkins#draft": _tickets_of_other_order,
    "PUT /v1/contacts/me": _as_a("notifications", "/v1/contacts/me"),
    "POST /v1/webhooks": lambda w: w.query(
        "notifications", "SELECT id FROM webhooks WHERE recipient = :r ORDER BY id", r=w.ids["sub_a"]
    ),
    "POST /v1/notifications/{note_a}/read": lambda w: w.query(
        "notifications", "SELECT read_at FROM notifications WHERE id = :id", id=w.ids["note_a"]
    ),
}


def _window(times: tuple[str, str]) -> str:
    return urlencode({"from": times[0], "to": times[1]})


@dataclass(frozen=True)
class Row:
    key: str  # "METHOD path", as in the table
    expected: dict[str, int | str]

    @property
    def method(self) -> str:
        return self.key.split()[0]

    @property
    def path(self) -> str:
        return self.key.split()[1].split("#")[0]

    @property
    def route(self) -> tuple[str, str]:
        """The route as the OpenAPI documents name it, placeholders blanked."""
        return self.method, re.sub(r"\{[^}]*\}", "{}", self.path.split("?")[0])


def _rows(table: str) -> list[Row]:
    header, *lines = [line.split() for line in table.strip().splitlines()]
    assert tuple(header[1:]) == ROLES, header
    rows = [
        Row(f"{line[0]} {line[1]}", {r: _cell(v) for r, v in zip(ROLES, line[2:], strict=True)})
        for line in lines
    ]
    for row in rows:
        assert row.method in ("GET", "HEAD") or row.key in BODIES, f"{row.key}: say what it sends"
        writes = row.method != "GET" and "in" in row.expected.values()
        assert not writes or row.key in SNAPSHOTS, f"{row.key}: say what it must leave unchanged"
    return rows


def _cell(text: str) -> int | str:
    return text if text == "in" else int(text)


MATRIX = _rows(MATRIX_TABLE)
CELLS = [
    pytest.param(row, role, id=f"{row.key} | {role}")
    for row in MATRIX
    # within a row, those who may not change the object go first, so that it is still fresh for them
    for role in sorted(ROLES, key=lambda role: row.expected[role] == "in")
]


@pytest.fixture(scope="module")
def world(platform: Stack) -> Iterator[World]:
    yield from make_world(platform)


@pytest.fixture(scope="module")
def routes(platform: Stack) -> dict[tuple[str, str], str]:
    """Every documented route of every running service, with the service that answers it."""
    found: dict[tuple[str, str], str] = {}
    for service in SERVICES:
        port = getattr(platform.ports, service)
        document = requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).json()
        for path, operations in document["paths"].items():
            for method in operations:
                found[(method.upper(), re.sub(r"\{[^}]*\}", "{}", path))] = service
    return found


def test_the_matrix_covers_every_route_of_every_service(routes: dict[tuple[str, str], str]) -> None:
    """A route added to a service without its row here fails this test; so does a row whose route
    is gone. Only the documented public routes stay out."""
    covered = {row.route for row in MATRIX}
    assert set(routes) - PUBLIC - covered == set(), "routes with no row in MATRIX_TABLE"
    assert covered - set(routes) == set(), "rows of MATRIX_TABLE for routes no service has"


def call(world: World, service: str, row: Row, role: str, body: Any = None) -> requests.Response:
    """The row's request as the party sends it, from an address of its own (no rate limit meets it)."""
    return requests.request(
        row.method,
        world.url(service, row.path),
        json=body,
        headers=world.headers[role] | somewhere(),
        timeout=30,
    )


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_cell(world: World, routes: dict[tuple[str, str], str], row: Row, role: str) -> None:
    """One party on one route gets the answer the table gives; a read shows them only what is
    theirs to see, and a write they are not let in for changes nothing."""
    snapshot = SNAPSHOTS.get(row.key)
    before = snapshot(world) if snapshot else None
    body = BODIES[row.key](world, role) if row.key in BODIES else None
    answer = call(world, routes[row.route], row, role, body)
    expected = row.expected[role]
    if expected == "in":
        assert answer.status_code in (200, 201, 202, 409), answer.text
    else:
        assert answer.status_code == expected, answer.text
    if answer.status_code >= 400:
        assert answer.headers["Content-Type"] == PROBLEM
    for name, readers in PRIVATE.get(row.key, {}).items():
        shown = world.ids[name] in answer.text
        assert shown == (role in readers), f"{name} {'not ' if not shown else ''}shown to {role}"
    if snapshot and expected != "in":
        assert snapshot(world) == before, "changed by a party the table does not let in"


# --- API3: a write cannot say whose the object is, nor set what only the platform sets --------------
FOREIGN_FIELDS = ("organiser_id", "buyer_id", "recipient", "owner_id", "paid_amount")
WRITES = [row for row in MATRIX if row.key in BODIES]


def _let_in(row: Row) -> str:
    """The first party the row does not refuse: one whose own fields are the ones to forge."""
    return next(r for r in ROLES if row.expected[r] not in (401, 403, 404, 422))


@pytest.mark.parametrize("row", WRITES, ids=lambda row: row.key)
def test_no_write_takes_fields_that_say_whose_it_is(
    world: World, routes: dict[tuple[str, str], str], row: Row
) -> None:
    """A party let in who adds owner or payment fields to an otherwise good body is refused with
    a 422 naming each field, and nothing changes."""
    role = _let_in(row)
    snapshot = SNAPSHOTS.get(row.key)
    before = snapshot(world) if snapshot else None
    forged = BODIES[row.key](world, role) | {name: world.ids["sub_b"] for name in FOREIGN_FIELDS}
    answer = call(world, routes[row.route], row, role, forged)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == PROBLEM
    assert set(FOREIGN_FIELDS) <= set(answer.json()["errors"]), answer.text
    if snapshot:
        assert snapshot(world) == before


# --- order tokens and ticket codes -------------------------------------------------------------------
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_order_tokens_and_ticket_codes_are_long_random_and_kept_only_as_hashes(world: World) -> None:
    """Tokens carry 192 random bits and ticket codes 128, from the operating system's generator, so
    neither can be guessed from another; order ids are random UUIDs; the database keeps only a
    token's SHA-256, so a copy of it reads no order."""
    sample = [new_order_token()[0] for _ in range(2000)]
    assert len(set(sample)) == len(sample)
    assert {len(t) for t in sample} == {32}  # 24 bytes in base64url
    assert len(set("".join(sample))) == 64  # every symbol of the alphabet turns up
    assert {len(new_code()) for _ in range(200)} == {22}  # 16 bytes
    one = [{"ticket_type_id": world.ids["type"], "quantity": 1}]
    placed = [order(world.stack, world.ids["event"], items=one).json() for _ in range(3)]
    tokens = [p["token"] for p in placed]
    assert all(URL_SAFE.fullmatch(t) and len(t) == 32 for t in tokens), tokens
    assert all(uuid.UUID(p["id"]).version == 4 for p in placed)
    assert URL_SAFE.fullmatch(world.ids["code"]) and len(world.ids["code"]) == 22
    for held in placed:
        (row,) = world.query("booking", "SELECT * FROM orders WHERE id = :id", id=held["id"])
        assert held["token"] not in map(str, row)
        assert hashlib.sha256(held["token"].encode()).hexdigest() in row


def _neighbour(text: str) -> str:
    """The same text with its last character changed: a guess one step away."""
    return text[:-1] + ("B" if text[-1] == "A" else "A")


def _unmarked(answer: requests.Response) -> tuple[int, str, dict[str, Any]]:
    body = answer.json()
    body.pop("correlation_id")
    return answer.status_code, answer.headers["Content-Type"], body


def test_a_guessed_order_or_ticket_gets_the_answer_of_one_that_does_not_exist(world: World) -> None:
    """Next ids, random ids, another buyer's order, a guessed or off-by-one token, no token at all:
    reading, paying or cancelling gets the same 404, word for word, as an order that does not exist,
    so nobody learns which orders exist. The same for ticket codes."""
    own, token = world.ids["order"], world.ids["order_token"]
    guesses = {
        "no such order": (str(uuid.uuid4()), token),
        "the next id": (str(uuid.UUID(int=uuid.UUID(own).int + 1)), token),
        "another buyer's order": (world.ids["other_order"], token),
        "a guessed token": (own, new_order_token()[0]),
        "a token one character off": (own, _neighbour(token)),
        "no token": (own, ""),
    }
    for method, suffix in (("GET", ""), ("POST", "/payment"), ("POST", "/cancel")):
        answers = {
            name: _unmarked(
                requests.request(
                    method,
                    world.url("booking", f"/v1/orders/{order_id}{suffix}"),
                    json={} if method == "POST" else None,
                    headers={"X-Order-Token": guess} | somewhere(),
                    timeout=10,
                )
            )
            for name, (order_id, guess) in guesses.items()
        }
        assert {a[0] for a in answers.values()} == {404}, answers
        assert len({json.dumps(a, sort_keys=True) for a in answers.values()}) == 1, answers
    owner = {"X-Order-Token": token} | somewhere()
    assert (
        requests.get(world.url("booking", "/v1/orders/{order}"), headers=owner, timeout=10).status_code == 200
    )
    code = world.ids["code"]
    for suffix in ("", "/qr.svg"):
        tickets = [
            requests.get(world.url("booking", f"/v1/tickets/{c}{suffix}"), headers=somewhere(), timeout=10)
            for c in (code, _neighbour(code), new_code())
        ]
        assert tickets[0].status_code == 200
        assert _unmarked(tickets[1]) == _unmarked(tickets[2])
        assert tickets[1].status_code == 404


def test_a_venue_named_in_another_roles_token_makes_nobody_its_manager(world: World) -> None:
    """Only a venue manager runs the venues their token names: an organiser's token that names
    venue X sees X's schedule as the public does and may not block its dates."""
    forged = token("organiser", f"org-{uuid.uuid4().hex[:8]}", world.ids["venue_x"])
    schedule = world.url("venues", "/v1/spaces/{space_x}/schedule?{window}")
    assert (
        world.ids["booking_a_title"]
        in requests.get(schedule, headers=world.headers["mgr_x"], timeout=10).text
    )
    assert world.ids["booking_a_title"] not in requests.get(schedule, headers=forged, timeout=10).text
    blackout = BODIES["POST /v1/spaces/{space_x}/blackouts"](world, "org_a")
    refused = requests.post(
        world.url("venues", "/v1/spaces/{space_x}/blackouts"), headers=forged, json=blackout, timeout=10
    )
    assert refused.status_code == 403, refused.text


def test_a_replayed_idempotency_key_does_not_hand_a_guests_token_to_another_client(world: World) -> None:
    """A guest's retry with the same Idempotency-Key gets the answer it lost, token included. The
    same body and key from another client (who knows the buyer's email, the event and the key, as
    with the README's `order-1`) must not get that token: it reads, pays and cancels the order."""
    body = BODIES["POST /v1/orders"](world, "guest")
    key, guest = {"Idempotency-Key": "order-1"}, somewhere()
    placed = requests.post(world.url("booking", "/v1/orders"), json=body, headers=key | guest, timeout=30)
    assert placed.status_code == 201, placed.text
    again = requests.post(world.url("booking", "/v1/orders"), json=body, headers=key | guest, timeout=30)
    assert again.json() == placed.json()  # the guest's own retry
    other = requests.post(
        world.url("booking", "/v1/orders"), json=body, headers=key | somewhere(), timeout=30
    )
    assert other.status_code == 409 and placed.json()["token"] not in other.text, other.text


# --- secrets and card data ---------------------------------------------------------------------------
# The development values the stack documents (README.md, docker-compose.yml) and a deliberately
# wrong webhook secret the payment tests forge signatures with.
DEVELOPMENT_VALUES = {
    DEV_JWT_SECRET,
    LOCAL_STRIPE_KEY,
    LOCAL_WEBHOOK_SECRET,
    "whsec_someone_else",
    "xudong",  # the local PostgreSQL role's password
    "postgres",  # the throwaway superuser password of the compose file's database container
}
# name → pattern; the value judged is the pattern's first group, or the whole match without one
SECRET_PATTERNS = {
    "private key": r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
    "Stripe live key": r"\b[rs]k_live_[0-9A-Za-z]{8,}",
    "Stripe test key or webhook secret": r"\b(?:[rs]k_test|whsec)_\w+",
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "signed JWT": r"\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}",
    # a quoted value after = or :, an unquoted one on a YAML or env line of its own, or SQL's form
    "password": r"(?im)password['\"]?\s*[:=]\s*['\"]([^'\"]+)['\"]"
    r"|^\s*\w*password\s*[:=]\s*([^\s'\"#]+)\s*(?:#.*)?$|password\s+'([^']+)'",
    "password in a URL": r"://[\w.-]+:([^@\s/{}]+)@",
    "JWT secret": r"(?m)JWT_SECRET['\"]?\s*[:=]\s*['\"]([^'\"]+)['\"]"
    r"|^\s*[A-Z_]*JWT_SECRET\s*:\s*([^\s'\"#]+)",
}


def _tracked_text() -> Iterator[tuple[str, str]]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file():
            try:
                yield name, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images and other binary files


def test_no_secret_is_in_the_repository() -> None:
    """No private key, live or unknown Stripe key, cloud key, signed token, or password other than
    the stack's documented development ones, in any file git tracks or would track."""
    found = []
    for name, text in _tracked_text():
        for kind, pattern in SECRET_PATTERNS.items():
            for match in re.finditer(pattern, text):
                value = next((g for g in match.groups() if g), match.group(0))
                if value not in DEVELOPMENT_VALUES and not value.startswith(("$", "{")):
                    found.append(f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {kind}")
    assert found == []


def _platform_logs(stack: Stack) -> dict[str, str]:
    """What the platform's own processes wrote (not localstripe's nor MailDev's: they stand for
    Stripe and a mail server, which see cards and mails by their nature)."""
    logs = stack.state / "logs"
    return {
        f"{s}-{kind}": (logs / f"{s}-{kind}.log").read_text(errors="replace")
        for s in SERVICES
        for kind in ("api", "relay", "worker")
    }


def test_no_secret_reaches_the_platform_logs(world: World) -> None:
    """After a purchase paid by card, an order read by its link and a card pushed at a payment
    route, no log of any service holds the JWT secret, a bearer token, an order token, a
    PaymentIntent's client secret, a card number or the Stripe keys."""
    link = world.url("booking", "/v1/orders/{order_b}?token={order_b_token}")
    assert requests.get(link, headers=somewhere(), timeout=10).status_code == 200
    card = {"card": {"number": VISA, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    pushed = requests.post(
        world.url("booking", "/v1/orders/{order_b}/payment"),
        json=card,
        headers=world.headers["org_b"],
        timeout=10,
    )
    assert pushed.status_code == 422
    secrets = {
        "JWT secret": jwt_secret(),
        "Stripe key": LOCAL_STRIPE_KEY,
        "webhook secret": LOCAL_WEBHOOK_SECRET,
        "card number": VISA,
    } | {f"token of {name}": world.ids[f"{name}_token"] for name in ("order", "other_order", "order_b")}
    patterns = {"bearer token": r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+", "client secret": r"pi_\w+_secret_\w+"}
    logs = _platform_logs(world.stack)
    paid = world.ids["other_order"]
    assert any(f"/v1/orders/{paid}/payment" in text for text in logs.values()), "not the logs of this run"
    leaks = [
        f"{log}: {what}" for log, text in logs.items() for what, value in secrets.items() if value in text
    ]
    leaks += [
        f"{log}: {what}" for log, text in logs.items() for what, p in patterns.items() if re.search(p, text)
    ]
    assert leaks == []


CARD_FIELDS = re.compile(
    r"(?i)^(card.*|.*card_?number|pan|cvc2?|cvv2?|exp(iry|_month|_year)|number|payment_method.*)$"
)


def _properties(schema: Any, components: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Every property name a schema accepts, through references, arrays and nesting."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref and ref not in seen:
            seen.add(ref)
            yield from _properties(components[ref.rsplit("/", 1)[-1]], components, seen)
        yield from schema.get("properties", {})
        for value in schema.values():
            yield from _properties(value, components, seen)
    elif isinstance(schema, list):
        for value in schema:
            yield from _properties(value, components, seen)


def test_no_service_takes_card_data_only_payment_intents(world: World) -> None:
    """No request body of any service has a field for a card: payment routes answer a PaymentIntent
    for the browser to confirm with Stripe, and refuse a card sent to them."""
    for service in SERVICES:
        document = requests.get(world.url(service, "/openapi.json"), timeout=10).json()
        components = document.get("components", {}).get("schemas", {})
        bodies = [
            op["requestBody"]
            for ops in document["paths"].values()
            for op in ops.values()
            if "requestBody" in op
        ]
        accepted = set(_properties(bodies, components, set()))
        assert accepted, service  # the walk finds the fields there are
        assert {name for name in accepted if CARD_FIELDS.match(name)} == set(), service
    card = {
        "card": {"number": VISA, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        "payment_method": "pm_x",
    }
    routes = {
        "/v1/orders/{order_b}/payment": "org_b",
        "/v1/venue-bookings/{spare_a}/payment": "org_a",
    }
    for path, role in routes.items():
        refused = requests.post(
            world.url("booking", path), json=card, headers=world.headers[role], timeout=10
        )
        assert refused.status_code == 422, refused.text
        assert set(refused.json()["errors"]) == set(card)
    intent = requests.post(
        world.url("booking", "/v1/orders/{order_b}/payment"),
        json={},
        headers=world.headers["org_b"],
        timeout=30,
    )
    assert intent.status_code == 200, intent.text
    assert set(intent.json()) == {"payment_intent_id", "client_secret", "amount", "currency"}
