"""What each cell of a row whose action moves its object on gets for itself: an object in the state
where the action succeeds (a held request to decide, a booking awaiting its payment, a draft to
publish, a held order, an unused ticket, an unread notification, an account to change, delete,
suspend or send a code to). The parties let in are then shown to succeed, the others are refused
from that same state, and no cell depends on which cells ran before it. Rows whose action can be
repeated (a new name, a new contact) share the world's."""

import uuid
from collections.abc import Callable
from typing import Any

import requests

from conftest import eventually
from tests.e2e.ticket_fixtures import order
from tests.e2e.venue_fixtures import booking_status, slot
from tests.security.access_world import (
    ACCOUNTS,
    FAR_DAYS,
    World,
    draft,
    entries,
    grant,
    new_account,
    paid_codes,
    party_token,
    request_booking,
)


def _a_blackout_time(w: World, role: str) -> World:
    start, end = slot(days=next(FAR_DAYS), hour=2, hours=1)
    return w.but({"blackout_start": start, "blackout_end": end})


def _a_held_request_at_x(name: str) -> Callable[[World, str], World]:
    """B's request at X, held and waiting for its manager: `name` is its schedule entry."""

    def fresh(w: World, role: str) -> World:
        booking = request_booking(w, "org_b", "space_x", next(FAR_DAYS), f"Của B {uuid.uuid4().hex[:8]}")
        booking_status(w.stack, booking, w.headers["org_b"], "held")
        return w.but({name: entries(w, "mgr_x")[booking]})

    return fresh


def _as_booking(space: str, status: str) -> Callable[[World, str], World]:
    """A's own request on `space`, once it is `status`, as {spare_a}."""

    def fresh(w: World, role: str) -> World:
        booking = request_booking(w, "org_a", space, next(FAR_DAYS), f"Của A {uuid.uuid4().hex[:8]}")
        booking_status(w.stack, booking, w.headers["org_a"], status)
        return w.but({"spare_a": booking})

    return fresh


def _as_draft(name: str) -> Callable[[World, str], World]:
    return lambda w, role: w.but({name: draft(w, f"{name} {uuid.uuid4().hex[:8]}")})


def _a_held_order(w: World, role: str) -> World:
    """A guest's order holding one place, as {order}: the guest holds its token."""
    held = order(w.stack, w.ids["event"], items=[{"ticket_type_id": w.ids["type"], "quantity": 1}])
    assert held.status_code == 201, held.text
    placed = held.json()
    names = {"order": placed["id"], "order_token": placed["token"], "order_email": placed["email"]}
    return w.but(names, {"guest": {"X-Order-Token": placed["token"]}})


def _an_unused_ticket(w: World, role: str) -> World:
    if not w.spare_codes:
        w.spare_codes += paid_codes(w)
    return w.but({"code": w.spare_codes.pop()})


def _an_unread_note_of_a(w: World, role: str) -> World:
    """What A is told of a new request of theirs, unread, as {note_a}."""
    booking = request_booking(w, "org_a", "space_x", next(FAR_DAYS), f"Tin cho A {uuid.uuid4().hex[:8]}")

    def told() -> list[Any]:
        """organiser A is told of their new request"""
        inbox = requests.get(
            w.url("notifications", "/v1/notifications?limit=100"), headers=w.headers["org_a"], timeout=10
        ).json()["items"]
        return [n["id"] for n in inbox if n["about"] == booking and n["read_at"] is None]

    return w.but({"note_a": eventually(told, timeout=60)[0]})


def _own_account(w: World, role: str) -> World:
    """An account of the cell's own, as {own}; a party with a token holds one of its role naming
    it (a party without one cannot name it, and must leave it as it is)."""
    account, _ = new_account(w, ACCOUNTS.get(role, "buyer"))
    headers = {role: party_token(w, role, account)} if role in ACCOUNTS else {}
    return w.but({"own": account}, headers)


def _an_account(
    name: str, role: str = "buyer", proven: bool = False, runs: str = ""
) -> Callable[[World, str], World]:
    """Someone's new account of `role`, as {name} and {name_email}: its address proven if `proven`
    (a code goes only to a proven one), the venue `runs` names assigned to it if any."""

    def fresh(w: World, party: str) -> World:
        account, email = new_account(w, role, proven)
        if runs:
            grant(w, f"/v1/users/{account}/venues/{w.ids[runs]}")
        return w.but({name: account, f"{name}_email": email})

    return fresh


def _a_token_naming_no_account(w: World, role: str) -> World:
    """The party's token, but for a sub that has no account (never had one, or has deleted it)."""
    if role not in ACCOUNTS:
        return w
    return w.but({}, {role: party_token(w, role, f"nobody-{uuid.uuid4().hex[:8]}")})


FRESH: dict[str, Callable[[World, str], World]] = {
    "POST /v1/spaces/{space_x}/blackouts": _a_blackout_time,
    "POST /v1/schedule-entries/{entry_approve_b}/approve": _a_held_request_at_x("entry_approve_b"),
    "POST /v1/schedule-entries/{entry_reject_b}/reject": _a_held_request_at_x("entry_reject_b"),
    # Z takes requests without review and charges for them: a request there awaits its payment
    "POST /v1/venue-bookings/{spare_a}/payment": _as_booking("space_z", "awaiting_payment"),
    "POST /v1/venue-bookings/{spare_a}/cancel": _as_booking("space_x", "held"),
    "POST /v1/events/{to_publish}/publish": _as_draft("to_publish"),
    "POST /v1/events/{to_cancel}/cancel": _as_draft("to_cancel"),
    "POST /v1/orders/{order}/payment": _a_held_order,
    "POST /v1/orders/{order}/cancel": _a_held_order,
    "POST /v1/checkins": _an_unused_ticket,
    "POST /v1/notifications/{note_a}/read": _an_unread_note_of_a,
    # within a minute of a code or a link to an address, another is not sent: each cell asks for its own
    "POST /v1/sign-in-codes": _an_account("account", proven=True),
    "POST /v1/password-resets": _an_account("account"),
    "PATCH /v1/me": _own_account,
    "DELETE /v1/me": _own_account,
    "PUT /v1/users/{account}/role": _an_account("account"),
    "PUT /v1/users/{manager}/venues/{venue_z}": _an_account("manager", "venue_manager"),
    "DELETE /v1/users/{manager}/venues/{venue_z}": _an_account("manager", "venue_manager", runs="venue_z"),
    "PUT /v1/users/{account}/suspension": _an_account("account"),
    "GET /v1/me#no-account": _a_token_naming_no_account,
    "GET /userinfo#no-account": _a_token_naming_no_account,
}
