"""The access matrix: every route against every party, one cell each, with what each write sends,
what each read may show and to whom, and what each write changes. test_access.py runs it."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conftest import receiver_port
from tests.e2e.identity_flows import new_email, sign_up_body
from tests.e2e.ticket_fixtures import event_body, free, signed_qr
from tests.e2e.venue_fixtures import request_body, rules, slot
from tests.security.access_fresh import FRESH
from tests.security.access_world import ACCOUNTS, FAR_DAYS, ROLES, World, turn

# Parties: anon (no credentials), org_a and org_b (organisers), mgr_x and mgr_y (managers of venue
# X and venue Y), staff (the department), buyer (an account of role buyer: anyone who signed up),
# each of them with an account at the identity service and a token naming it; guest (holds the
# token of {order}) and other (holds the token of {other_order}, another guest's). The names in
# braces are objects of the world, mostly A's (see access_world.py); a row that moves its object on
# gives each cell its own, in the state where the action succeeds (access_fresh.py). A cell is the
# exact status, or "in": the party is let in, the action succeeds (2xx) and does what DONE says. A
# write answered 2xx must change what SNAPSHOTS reads; any other answer must leave it as it was.
MATRIX_TABLE = """
route                                                   anon org_a org_b mgr_x mgr_y staff buyer guest other
GET    /.well-known/jwks.json                            200  200   200   200   200   200   200   200   200
GET    /.well-known/openid-configuration                 200  200   200   200   200   200   200   200   200
GET    /userinfo                                         401  200   200   200   200   200   200   401   401
POST   /userinfo                                         401  200   200   200   200   200   200   401   401
GET    /userinfo#no-account                              401  401   401   401   401   401   401   401   401
POST   /v1/accounts                                      202  202   202   202   202   202   202   202   202
POST   /v1/password-resets                               202  202   202   202   202   202   202   202   202
POST   /v1/sign-in-codes                                 202  202   202   202   202   202   202   202   202
GET    /v1/me                                            401  200   200   200   200   200   200   401   401
GET    /v1/me#no-account                                 401  404   404   404   404   404   404   401   401
PATCH  /v1/me                                            401  in    in    in    in    in    in    401   401
DELETE /v1/me                                            401  in    in    in    in    in    in    401   401
GET    /v1/me/sign-ins                                   401  200   200   200   200   200   200   401   401
GET    /v1/me/data                                       401  200   200   200   200   200   200   401   401
GET    /v1/me/data/venues                                401  200   200   200   200   200   200   401   401
GET    /v1/me/data/booking                               401  200   200   200   200   200   200   401   401
GET    /v1/me/data/notifications                         401  200   200   200   200   200   200   401   401
GET    /v1/users?email={org_b_email}                     401  403   403   403   403   200   403   401   401
PUT    /v1/users/{account}/role                          401  403   403   403   403   in    403   401   401
PUT    /v1/users/{manager}/venues/{venue_z}              401  403   403   403   403   in    403   401   401
DELETE /v1/users/{manager}/venues/{venue_z}              401  403   403   403   403   in    403   401   401
PUT    /v1/users/{account}/suspension                    401  403   403   403   403   in    403   401   401
GET    /v1/users/{sub_a}/sign-ins                        401  403   403   403   403   200   403   401   401
GET    /v1/areas                                         200  200   200   200   200   200   200   200   200
GET    /v1/areas/{area}                                  200  200   200   200   200   200   200   200   200
PATCH  /v1/areas/{area}                                  401  403   403   403   403   in    403   401   401
POST   /v1/areas                                         401  403   403   403   403   in    403   401   401
POST   /v1/venues                                        401  403   403   403   403   in    403   401   401
GET    /v1/venues                                        200  200   200   200   200   200   200   200   200
GET    /v1/venues/{venue_x}                              200  200   200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}                              200  200   200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}/schedule?{window}            200  200   200   200   200   200   200   200   200
GET    /v1/spaces/{space_x}/schedule.ics?{window}        200  200   200   200   200   200   200   200   200
GET    /v1/availability?{window}                         200  200   200   200   200   200   200   200   200
POST   /v1/spaces/{space_x}/blackouts                    401  403   403   in    404   in    403   401   401
GET    /v1/review-queue                                  401  403   403   200   200   200   403   401   401
POST   /v1/schedule-entries/{entry_approve_b}/approve    401  403   403   in    404   in    403   401   401
POST   /v1/schedule-entries/{entry_reject_b}/reject      401  403   403   in    404   in    403   401   401
POST   /v1/venue-bookings                                401  in    202   403   403   403   403   401   401
GET    /v1/venue-bookings                                401  200   200   403   403   200   403   401   401
GET    /v1/venue-bookings/{booking_a}                    401  200   404   403   403   200   403   401   401
POST   /v1/venue-bookings/{spare_a}/payment              401  in    404   403   403   in    403   401   401
POST   /v1/venue-bookings/{spare_a}/cancel               401  in    404   403   403   in    403   401   401
POST   /v1/events                                        401  in    422   403   403   403   403   401   401
GET    /v1/events                                        200  200   200   200   200   200   200   200   200
GET    /v1/events/{event}                                200  200   200   200   200   200   200   200   200
GET    /v1/events/{draft}                                404  200   404   404   404   200   404   404   404
PATCH  /v1/events/{draft}                                401  in    404   403   403   in    403   401   401
POST   /v1/events/{to_publish}/publish                   401  in    404   403   403   in    403   401   401
POST   /v1/events/{to_cancel}/cancel                     401  in    404   403   403   in    403   401   401
GET    /v1/events/{event}/availability                   200  200   200   200   200   200   200   200   200
GET    /v1/events/{event}/seats                          200  200   200   200   200   200   200   200   200
GET    /v1/events/{event}/door-list                      401  200   403   200   403   200   403   401   401
GET    /v1/events/{event}/sales                          401  200   404   403   403   200   403   401   401
GET    /v1/me/events                                     401  200   200   403   403   200   403   401   401
POST   /v1/events/{sold_out}/waiting-list                201  201   201   201   201   201   201   201   201
POST   /v1/orders                                        201  201   201   201   201   201   201   201   201
GET    /v1/orders/{order}                                404  404   404   404   404   200   404   200   404
GET    /v1/orders/{order_b}                              404  404   200   404   404   200   404   404   404
GET    /v1/orders                                        401  200   200   200   200   200   200   401   401
GET    /v1/orders/{buyer_order}                          404  404   404   404   404   200   200   404   404
POST   /v1/orders/{order}/payment                        404  404   404   404   404   in    404   in    404
POST   /v1/orders/{order}/cancel                         404  404   404   404   404   in    404   in    404
GET    /v1/tickets/{code}                                200  200   200   200   200   200   200   200   200
GET    /v1/tickets/{code}/qr.svg                         200  200   200   200   200   200   200   200   200
GET    /v1/refunds?state=needs_attention                 401  403   403   403   403   200   403   401   401
POST   /v1/checkins                                      401  in    403   in    403   in    403   401   401
POST   /v1/checkins#draft                                401  409   404   409   404   409   403   401   401
GET    /v1/contacts/me                                   401  200   200   200   200   200   403   401   401
POST   /v1/webhooks                                      401  in    201   403   403   403   403   401   401
GET    /v1/notifications?limit=100                       401  200   200   200   200   200   200   401   401
GET    /v1/notifications?limit=100&recipient={sub_a}     401  200   200   200   200   200   200   401   401
POST   /v1/notifications/{note_a}/read                   401  in    404   404   404   in    404   401   401
"""
# The #draft row: a ticket of {event} shown at the door of the draft {draft}. Those who run the
# draft's door pass and are told the ticket is for another event (409: a draft sells none); to the
# others the draft does not exist (404, where a published event's door answers them 403).
# The #no-account rows: each party's token, but naming a sub that has no account (access_fresh.py).
# {buyer_order}: the buyer's order placed as a guest, theirs once they proved its address.

# POSTs that change nothing, which SNAPSHOTS therefore does not read (OpenID Connect Core 5.3.1:
# the UserInfo request may be sent by POST).
READS = {"POST /userinfo"}
# Writes whose route reads no body, sent none (BODIES names what the others send).
NO_BODY = {
    "DELETE /v1/me",
    "PUT /v1/users/{manager}/venues/{venue_z}",
    "DELETE /v1/users/{manager}/venues/{venue_z}",
}
# Refusals in OAuth's own words rather than a problem document (RFC 6750 section 3, which OpenID
# Connect Core 5.3.3 names for the UserInfo endpoint): a valid token of no account is answered an
# `error` in JSON and in WWW-Authenticate.
OAUTH_REFUSALS = {"GET /userinfo#no-account"}


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
    return event_body(w.ids["booking_a"], booked, [free(10)], sessions=turn(w))


def _check_in(event: str) -> Callable[[World, str], dict[str, Any]]:
    """The organisers scan the QR; the venue's manager and staff may type the code."""

    def body(w: World, role: str) -> dict[str, Any]:
        ticket = {"qr": signed_qr(w.ids["code"])} if role.startswith("org") else {"code": w.ids["code"]}
        return {"event_id": w.ids[event], "gate": "cổng 1"} | ticket

    return body


# What each write sends, by row, for the party that sends it.
BODIES: dict[str, Callable[[World, str], Any]] = {
    "POST /v1/accounts": lambda w, role: sign_up_body(new_email("sign-up")),
    "POST /v1/password-resets": lambda w, role: {"email": w.ids["account_email"]},
    "POST /v1/sign-in-codes": lambda w, role: {"email": w.ids["account_email"], "channel": "email"},
    "PATCH /v1/me": lambda w, role: {"display_name": named("Tên mới")["vi"]},
    "PUT /v1/users/{account}/role": lambda w, role: {"role": "organiser"},
    "PUT /v1/users/{account}/suspension": lambda w, role: {},
    "PATCH /v1/areas/{area}": lambda w, role: {"name": named("Vùng")},
    "POST /v1/areas": lambda w, role: {"level": "province", "name": named("Tỉnh")},
    "POST /v1/venues": _new_venue,
    "POST /v1/spaces/{space_x}/blackouts": lambda w, role: {
        "start": w.ids["blackout_start"],
        "end": w.ids["blackout_end"],
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
    "POST /v1/events/{sold_out}/waiting-list": lambda w, role: {
        "ticket_type_id": w.ids["sold_out_type"],
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
    # the tests' receiver: the one private destination the test platform lets a webhook reach
    "POST /v1/webhooks": lambda w, role: {"url": f"http://127.0.0.1:{receiver_port()}/hooks/access"},
    "POST /v1/notifications/{note_a}/read": lambda w, role: {},
}

MGR_X_AND_STAFF = {"mgr_x", "staff"}
OWN_ADDRESS = {f"{party}_email": {party} for party in ACCOUNTS}  # each account's, to itself alone
# Reads: which data (by its name in the world) each row may show, and to whom; to anyone else it
# must not show. A party named here who is let in must see it: the read is shown to work.
PRIVATE: dict[str, dict[str, set[str]]] = {
    "GET /userinfo": OWN_ADDRESS,
    "POST /userinfo": OWN_ADDRESS,
    "GET /v1/me": OWN_ADDRESS,
    "GET /v1/me/sign-ins": {"sign_in_a_client": {"org_a"}},
    "GET /v1/me/data": OWN_ADDRESS
    | {
        "sign_in_a_client": {"org_a"},
        "booking_a": {"org_a", "mgr_x"},
        "note_a": {"org_a"},
    },  # X's manager reviewed it
    "GET /v1/me/data/venues": {
        "booking_a_title": {"org_a", "mgr_x"},  # the manager of X approved it
        "pending_b_title": {"org_b"},
        "venue_x": {"mgr_x"},
        "venue_y": {"mgr_y"},
    },
    "GET /v1/me/data/booking": {
        "booking_a": {"org_a"},
        "draft_title": {"org_a"},
        "order_b_email": {"org_b"},
        "buyer_order": {"buyer"},
        "order_email": set(),
        "code": set(),  # a guest's ticket, even to whoever checked it in
    },
    "GET /v1/me/data/notifications": {
        "note_a": {"org_a"},
        "org_a_email": {"org_a"},
        "org_b_email": {"org_b"},
        "buyer_email": {"buyer"},
    },
    "GET /v1/events/{event}/door-list": {"code": set()},  # each ticket by a digest, never its code
    "GET /v1/events/{event}/sales": {"other_order_email": {"org_a", "staff"}, "code": set()},
    "GET /v1/me/events": {"draft_title": {"org_a"}},
    "GET /v1/users?email={org_b_email}": {"sub_b": {"staff"}},
    "GET /v1/users/{sub_a}/sign-ins": {"sign_in_a_client": {"staff"}},
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
    "GET /v1/orders": {
        "order_b_email": {"org_b"},
        "buyer_order": {"buyer"},
        "order_email": set(),
        "other_order_email": set(),
    },
    "GET /v1/orders/{buyer_order}": {"buyer_email": {"buyer", "staff"}},
    "GET /v1/tickets/{code}": {"other_order_email": set()},
    "GET /v1/contacts/me": {"org_a_email": {"org_a"}, "org_b_email": {"org_b"}},
    "GET /v1/notifications?limit=100": {"note_a": {"org_a"}},
    "GET /v1/notifications?limit=100&recipient={sub_a}": {"note_a": {"org_a", "staff"}},
}


def _row(service: str, sql: str, **names: str) -> Callable[[World], Any]:
    """What `sql` reads, with the world's objects bound by name: `names` maps parameter to object."""
    return lambda w: w.query(service, sql, **{p: w.ids[name] for p, name in names.items()})


_ENTRY = "SELECT status FROM schedule_entries WHERE id = :id"
_BOOKING = "SELECT status, payment_intent_id FROM venue_bookings WHERE id = :id"
_EVENT = "SELECT status FROM events WHERE id = :id"
_ORDER = "SELECT status, payment_intent_id, refunded_amount FROM orders WHERE id = :id"
_TICKET = "SELECT checked_in_at, checked_in_gate FROM tickets WHERE code = :code"
_ACCOUNT = "SELECT display_name, role, suspended_at FROM users WHERE id = :id"
_VENUES_RUN = "SELECT venue_id FROM manager_venues WHERE user_id = :id"


def _challenges(purpose: str, of: str) -> Callable[[World], Any]:
    sql = "SELECT digest FROM challenges WHERE user_id = :id AND purpose = :purpose ORDER BY digest"
    return lambda w: w.query("identity", sql, id=w.ids[of], purpose=purpose)


# Writes: what a write changes when it succeeds and must leave as it was when it does not. A write
# that makes something is read across every party's data, not only A's: a refused party's write
# under its own identity would not show among A's.
SNAPSHOTS: dict[str, Callable[[World], Any]] = {
    "POST /v1/accounts": _row("identity", "SELECT id FROM users ORDER BY id"),
    "POST /v1/password-resets": _challenges("reset_password", "account"),
    "POST /v1/sign-in-codes": _challenges("sign_in_code", "account"),
    "PATCH /v1/me": _row("identity", _ACCOUNT, id="own"),
    "DELETE /v1/me": _row("identity", _ACCOUNT, id="own"),
    "PUT /v1/users/{account}/role": _row("identity", _ACCOUNT, id="account"),
    "PUT /v1/users/{manager}/venues/{venue_z}": _row("identity", _VENUES_RUN, id="manager"),
    "DELETE /v1/users/{manager}/venues/{venue_z}": _row("identity", _VENUES_RUN, id="manager"),
    "PUT /v1/users/{account}/suspension": _row("identity", _ACCOUNT, id="account"),
    "PATCH /v1/areas/{area}": _row("venues", "SELECT name_vi, name_en FROM areas WHERE id = :id", id="area"),
    "POST /v1/areas": _row("venues", "SELECT id FROM areas ORDER BY id"),
    "POST /v1/venues": _row("venues", "SELECT id FROM venues ORDER BY id"),
    "POST /v1/spaces/{space_x}/blackouts": _row(
        "venues",
        "SELECT id FROM schedule_entries WHERE space_id = :space AND starts_at = CAST(:start AS timestamptz)",
        space="space_x",
        start="blackout_start",
    ),
    "POST /v1/schedule-entries/{entry_approve_b}/approve": _row("venues", _ENTRY, id="entry_approve_b"),
    "POST /v1/schedule-entries/{entry_reject_b}/reject": _row("venues", _ENTRY, id="entry_reject_b"),
    "POST /v1/venue-bookings": _row("booking", "SELECT id FROM venue_bookings ORDER BY id"),
    "POST /v1/venue-bookings/{spare_a}/payment": _row("booking", _BOOKING, id="spare_a"),
    "POST /v1/venue-bookings/{spare_a}/cancel": _row("booking", _BOOKING, id="spare_a"),
    "POST /v1/events": _row("booking", "SELECT id FROM events ORDER BY id"),
    "PATCH /v1/events/{draft}": _row("booking", "SELECT description FROM events WHERE id = :id", id="draft"),
    "POST /v1/events/{to_publish}/publish": _row("booking", _EVENT, id="to_publish"),
    "POST /v1/events/{to_cancel}/cancel": _row("booking", _EVENT, id="to_cancel"),
    "POST /v1/events/{sold_out}/waiting-list": _row("booking", "SELECT id FROM waiting_list ORDER BY id"),
    "POST /v1/orders": _row("booking", "SELECT id FROM orders WHERE event_id = :e ORDER BY id", e="event"),
    "POST /v1/orders/{order}/payment": _row("booking", _ORDER, id="order"),
    "POST /v1/orders/{order}/cancel": _row("booking", _ORDER, id="order"),
    "POST /v1/checkins": _row("booking", _TICKET, code="code"),
    "POST /v1/checkins#draft": _row("booking", _TICKET, code="code"),
    "POST /v1/webhooks": _row("notifications", "SELECT id FROM webhooks ORDER BY id"),
    "POST /v1/notifications/{note_a}/read": _row(
        "notifications", "SELECT read_at FROM notifications WHERE id = :id", id="note_a"
    ),
}
# What the snapshot of a row that moves its object on reads once the action has succeeded.
DONE: dict[str, Callable[[Any], bool]] = {
    "POST /v1/sign-in-codes": lambda rows: len(rows) == 1,
    "POST /v1/password-resets": lambda rows: len(rows) == 1,
    "PATCH /v1/me": lambda rows: rows[0][0].startswith("Tên mới "),
    "DELETE /v1/me": lambda rows: rows == [],
    "PUT /v1/users/{account}/role": lambda rows: rows[0][1] == "organiser",
    "PUT /v1/users/{manager}/venues/{venue_z}": lambda rows: len(rows) == 1,
    "DELETE /v1/users/{manager}/venues/{venue_z}": lambda rows: rows == [],
    "PUT /v1/users/{account}/suspension": lambda rows: rows[0][2] is not None,
    "POST /v1/spaces/{space_x}/blackouts": lambda rows: len(rows) == 1,
    "POST /v1/schedule-entries/{entry_approve_b}/approve": lambda rows: (
        rows[0][0] in ("approved", "confirmed")
    ),
    "POST /v1/schedule-entries/{entry_reject_b}/reject": lambda rows: rows == [("rejected",)],
    "POST /v1/venue-bookings/{spare_a}/payment": lambda rows: rows[0][1] is not None,
    "POST /v1/venue-bookings/{spare_a}/cancel": lambda rows: rows[0][0] == "cancelled",
    "POST /v1/events/{to_publish}/publish": lambda rows: rows == [("published",)],
    "POST /v1/events/{to_cancel}/cancel": lambda rows: rows == [("cancelled",)],
    "POST /v1/orders/{order}/payment": lambda rows: rows[0][1] is not None,
    "POST /v1/orders/{order}/cancel": lambda rows: rows[0][0] == "cancelled",
    "POST /v1/checkins": lambda rows: rows[0][0] is not None,
    "POST /v1/notifications/{note_a}/read": lambda rows: rows[0][0] is not None,
}


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
        """The route with its variables blanked, as the services' route tables are compared with it."""
        return self.method, re.sub(r"\{[^}]*\}", "{}", self.path.split("?")[0])

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD") and self.key not in READS


def rows(table: str) -> list[Row]:
    header, *lines = [line.split() for line in table.strip().splitlines()]
    assert tuple(header[1:]) == ROLES, header
    found = [
        Row(f"{line[0]} {line[1]}", {r: _cell(v) for r, v in zip(ROLES, line[2:], strict=True)})
        for line in lines
    ]
    for row in found:
        assert not row.writes or row.key in BODIES or row.key in NO_BODY, f"{row.key}: say what it sends"
        assert not row.writes or row.key in SNAPSHOTS, f"{row.key}: say what it changes"
        assert not row.writes or row.key not in FRESH or row.key in DONE, f"{row.key}: say what it has done"
    return found


def _cell(text: str) -> int | str:
    return text if text == "in" else int(text)


def faults(
    expected: int | str,
    status: int,
    change: tuple[Any, Any] | None = None,
    done: Callable[[Any], bool] | None = None,
) -> list[str]:
    """What is wrong with a cell's outcome: its answer's `status` against the table's `expected`,
    and, for a write, the snapshot `change` (before, after) against what the answer says happened."""
    found = []
    succeeded = 200 <= status < 300
    if expected == "in" and not succeeded:
        found.append(f"answered {status}: the party let in is not shown to succeed")
    elif expected != "in" and status != expected:
        found.append(f"answered {status}, not {expected}")
    if change is not None:
        before, after = change
        if succeeded and after == before:
            found.append(f"answered {status} and changed nothing")
        elif succeeded and done is not None and not done(after):
            found.append(f"answered {status} but did not do it: {after!r}")
        elif not succeeded and after != before:
            found.append(f"answered {status} and changed {before!r} to {after!r}")
    return found


MATRIX = rows(MATRIX_TABLE)
