"""The parties of the access matrix and what each of them owns, made once through the public APIs:
an account at the identity service for each party with a token (signed up, its address proven by
the emailed link, its role granted by the department; A signed in once); venue X run by manager X
and venue Y by manager Y (both reviewed, free for public use) and venue Z (paid, taken without
review); organiser A's confirmed booking on X with a published event, a sold-out one, drafts and a
spare request; organiser B's requests waiting at X and Y; a guest's held order, another guest's
paid order with its tickets, B's own order, the buyer's order placed as a guest with the address
they proved; everyone's contact details and A's notifications. What a cell changes it gets fresh
(access_fresh.py): these stay as they are."""

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.identity_flows import Browser, new_email, sign_up_body, user_id, verify_by_email
from tests.e2e.ticket_fixtures import event_body, ga, order, order_status, pay, somewhere
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack

ROLES = ("anon", "org_a", "org_b", "mgr_x", "mgr_y", "staff", "buyer", "guest", "other")
GUESTS = ("guest", "other")  # buyers without an account, who hold an order's token
# The parties with an account, by the role it holds and their tokens carry (a buyer: anyone who
# signed up without an organisation), and the venue a manager's token names.
ACCOUNTS = {
    "org_a": "organiser",
    "org_b": "organiser",
    "mgr_x": "venue_manager",
    "mgr_y": "venue_manager",
    "staff": "staff",
    "buyer": "buyer",
}
RUNS = {"mgr_x": "venue_x", "mgr_y": "venue_y"}
ADMIN = token("staff", "access-world")  # the department's, as it grants roles and venues
FAR_DAYS = itertools.count(60)  # days for the bookings and blackouts the matrix itself asks for
# A's booking on X, 08:00 to 18:00 in Hải Dương, which A's events take turns on, 15 minutes each
BOOKED_AT, BOOKED_HOURS = 1, 10
TURN = timedelta(minutes=15)


@dataclass
class World:
    """Everything the matrix names, by the placeholder it is named by in the table."""

    stack: Stack
    ids: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    subs: dict[str, str] = field(default_factory=dict)  # each party's account id, its tokens' sub
    engines: dict[str, sa.Engine] = field(default_factory=dict)
    turns: Iterator[int] = field(default_factory=itertools.count)  # of A's events on A's booking
    spare_codes: list[str] = field(default_factory=list)  # paid tickets nobody has used yet

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{getattr(self.stack.ports, service)}{path.format(**self.ids)}"

    def get(self, service: str, path: str, role: str) -> requests.Response:
        return requests.get(self.url(service, path), headers=self.headers[role], timeout=10)

    def query(self, service: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engines[service].connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]

    def but(self, ids: dict[str, str], headers: dict[str, dict[str, str]] | None = None) -> "World":
        """The same world with some of its names given to other objects: a cell's own."""
        return replace(self, ids=self.ids | ids, headers=self.headers | (headers or {}))


def party_token(world: World, party: str, sub: str) -> dict[str, str]:
    """The token `party` holds, naming `sub`: the party's role, and the venue a manager runs."""
    venues = [world.ids[RUNS[party]]] if party in RUNS else []
    return token(ACCOUNTS[party], sub, *venues)


def grant(world: World, path: str, body: dict[str, str] | None = None) -> None:
    """What the department gives an account: its role, a venue to run."""
    answer = requests.put(world.url("identity", path), headers=ADMIN, json=body, timeout=10)
    assert answer.status_code == 200, answer.text


def sign_up(world: World, email: str, role: str) -> str:
    """A new account of `role`, by the sign-up (an organiser's names its organisation, anyone
    else's is a buyer's) and, for a manager or staff, the department's grant; its id, found by its
    email as staff find it. Its address is not proven yet."""
    organisation = {} if role == "organiser" else {"organisation": None}
    answer = requests.post(
        world.url("identity", "/v1/accounts"), json=sign_up_body(email, **organisation), timeout=30
    )
    assert answer.status_code == 202, answer.text
    account = user_id(world.stack, email)
    if role in ("venue_manager", "staff"):
        grant(world, f"/v1/users/{account}/role", {"role": role})
    return account


def new_account(world: World, role: str = "buyer", proven: bool = False) -> tuple[str, str]:
    """Someone's new account of `role`, its address proven if `proven`: its id and email."""
    email = new_email("access")
    account = sign_up(world, email, role)
    if proven:
        verify_by_email(world.stack, email)
    return account, email


def request_booking(
    world: World, role: str, space: str, days: int, title: str, hour: int = 10, hours: int = 6
) -> str:
    start, end = slot(days=days, hour=hour, hours=hours)
    answer = requests.post(
        world.url("booking", "/v1/venue-bookings"),
        headers=world.headers[role],
        json=request_body(world.ids[space], start, end, title=title),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def entries(world: World, manager: str) -> dict[str, str]:
    """Schedule entry id by venue booking id, from a manager's review queue."""
    queue = world.get("venues", "/v1/review-queue", manager).json()["items"]
    return {e["venue_booking_id"]: e["id"] for e in queue}


def turn(world: World) -> list[dict[str, str]]:
    """The next free session on A's booking: two events on one booking may not run at once."""
    start = datetime.fromisoformat(world.ids["booking_a_start"]) + next(world.turns) * TURN
    assert start + TURN <= datetime.fromisoformat(world.ids["booking_a_start"]) + timedelta(
        hours=BOOKED_HOURS
    ), "A's booking has no turn left for another event"
    return [{"start": start.isoformat(), "end": (start + TURN).isoformat()}]


def draft(world: World, title: str, quota: int = 100) -> str:
    booked = datetime.fromisoformat(world.ids["booking_a_start"])
    body = event_body(world.ids["booking_a"], booked, [ga(quota, per_order_limit=4)], sessions=turn(world))
    answer = requests.post(
        world.url("booking", "/v1/events"),
        headers=world.headers["org_a"],
        json=body | {"title": {"vi": title, "en": title}},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def publish(world: World, event: str) -> str:
    """The event's one ticket type, once the event is on sale."""
    published = requests.post(
        world.url("booking", f"/v1/events/{event}/publish"),
        headers=world.headers["org_a"],
        json={},
        timeout=10,
    )
    assert published.status_code == 200, published.text
    shown = requests.get(world.url("booking", f"/v1/events/{event}"), timeout=10).json()
    return str(shown["ticket_types"][0]["id"])


def paid_codes(world: World, quantity: int = 4) -> list[str]:
    """The tickets of a new paid order for A's event."""
    held = order(
        world.stack, world.ids["event"], items=[{"ticket_type_id": world.ids["type"], "quantity": quantity}]
    )
    assert held.status_code == 201, held.text
    pay(world.stack, held.json())
    return [t["code"] for t in order_status(world.stack, held.json(), "paid")["tickets"]]


def _bookings(world: World, tag: str) -> None:
    """A's booking on X confirmed by manager X; the other requests held, waiting for a decision."""
    asked = {
        "booking_a": ("org_a", "space_x", f"Chèo của A {tag}"),
        "spare_a": ("org_a", "space_x", f"Dự phòng của A {tag}"),
        "pending_b": ("org_b", "space_x", f"Chờ duyệt của B {tag}"),
        "approve_b": ("org_b", "space_x", f"Để duyệt của B {tag}"),
        "reject_b": ("org_b", "space_x", f"Để từ chối của B {tag}"),
        "pending_y": ("org_b", "space_y", f"Ở Y của B {tag}"),
    }
    for days, (name, (role, space, title)) in enumerate(asked.items(), start=30):
        hours = (BOOKED_AT, BOOKED_HOURS) if name == "booking_a" else (10, 6)
        world.ids[name] = request_booking(world, role, space, days, title, *hours)
        world.ids[f"{name}_title"] = title
    world.ids["booking_a_start"] = slot(days=30, hour=BOOKED_AT)[0]
    for name, (role, _, _) in asked.items():
        booking_status(world.stack, world.ids[name], world.headers[role], "held")
    at_x = entries(world, "mgr_x")
    for name in ("approve_b", "reject_b"):
        world.ids[f"entry_{name}"] = at_x[world.ids[name]]
    approved = requests.post(
        world.url("venues", f"/v1/schedule-entries/{at_x[world.ids['booking_a']]}/approve"),
        headers=world.headers["mgr_x"],
        json={},
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    booking_status(world.stack, world.ids["booking_a"], world.headers["org_a"], "confirmed")


def _events_and_orders(world: World) -> None:
    """A's published event with a guest's held order, another guest's paid one and B's own; an event
    whose one place is sold; A's drafts; paid tickets for the door to let in."""
    for name in ("event", "draft", "to_publish", "to_cancel", "sold_out"):
        world.ids[f"{name}_title"] = f"{name} {uuid.uuid4().hex[:8]}"
        world.ids[name] = draft(world, world.ids[f"{name}_title"], quota=1 if name == "sold_out" else 100)
    world.ids["type"] = publish(world, world.ids["event"])
    world.ids["sold_out_type"] = publish(world, world.ids["sold_out"])
    last = order(
        world.stack,
        world.ids["sold_out"],
        items=[{"ticket_type_id": world.ids["sold_out_type"], "quantity": 1}],
    )
    assert last.status_code == 201, last.text
    pay(world.stack, last.json())
    order_status(world.stack, last.json(), "paid")
    one = [{"ticket_type_id": world.ids["type"], "quantity": 1}]
    placed = {
        "order": order(world.stack, world.ids["event"], items=one).json(),
        "other_order": order(world.stack, world.ids["event"], items=one).json(),
        "order_b": order(world.stack, world.ids["event"], headers=world.headers["org_b"], items=one).json(),
    }
    for name, held in placed.items():
        world.ids[name], world.ids[f"{name}_email"], world.ids[f"{name}_token"] = (
            held["id"],
            held["email"],
            held["token"],
        )
    as_guest = order(world.stack, world.ids["event"], items=one, email=world.ids["buyer_email"])
    assert as_guest.status_code == 201, as_guest.text
    world.ids["buyer_order"] = as_guest.json()["id"]
    pay(world.stack, placed["other_order"])
    paid = order_status(world.stack, placed["other_order"], "paid")
    world.ids["code"] = paid["tickets"][0]["code"]
    world.headers["guest"] = {"X-Order-Token": world.ids["order_token"]}
    world.headers["other"] = {"X-Order-Token": world.ids["other_order_token"]}
    world.spare_codes += paid_codes(world) + paid_codes(world)


def _contacts_and_notifications(world: World) -> None:
    """Notifications holds each party's contact details, as its account has them; then organiser A
    has news in their inbox."""

    def followed() -> bool:
        """notifications holds each account's proven address"""
        held = world.query(
            "notifications",
            "SELECT recipient, email FROM contacts WHERE recipient = ANY(:subs)",
            subs=list(world.subs.values()),
        )
        return dict(held) == {sub: world.ids[f"{party}_email"] for party, sub in world.subs.items()}

    eventually(followed, timeout=60)

    def a_has_news() -> list[dict[str, Any]]:
        """organiser A has something in their inbox"""
        return list(world.get("notifications", "/v1/notifications?limit=100", "org_a").json()["items"])

    world.ids["note_a"] = eventually(a_has_news, timeout=60)[-1]["id"]


def _accounts(world: World, tag: str) -> None:
    """Each party's account, its role granted; their addresses are proven last (_proven)."""
    for party, role in ACCOUNTS.items():
        world.ids[f"{party}_email"] = f"{party.replace('_', '-')}-{tag}@example.vn"
        world.subs[party] = sign_up(world, world.ids[f"{party}_email"], role)
    world.ids |= {
        "sub_a": world.subs["org_a"],
        "sub_b": world.subs["org_b"],
        "sub_buyer": world.subs["buyer"],
    }


def _proven(world: World) -> None:
    """Each party's address proven by its link, the last change to its account: whoever follows the
    accounts has heard everything of one once it holds its proven address. A signs in once, from an
    address of its own, which its sign-ins show."""
    for manager, venue_name in RUNS.items():
        grant(world, f"/v1/users/{world.subs[manager]}/venues/{world.ids[venue_name]}")
    for party in ACCOUNTS:
        verify_by_email(world.stack, world.ids[f"{party}_email"])
    world.ids["sign_in_a_client"] = somewhere()["X-Forwarded-For"]
    browser = Browser(world.stack)
    browser.session.headers["X-Forwarded-For"] = world.ids["sign_in_a_client"]
    signed_in = browser.with_password(world.ids["org_a_email"])
    assert signed_in.status_code == 302, signed_in.text

    def buyer_followed() -> bool:
        """booking holds the buyer's proven address"""
        query = "SELECT verified_email FROM people WHERE user_id = :id"
        return world.query("booking", query, id=world.subs["buyer"]) == [(world.ids["buyer_email"],)]

    eventually(buyer_followed, timeout=60)


def make_world(stack: Stack) -> Iterator[World]:
    tag = uuid.uuid4().hex[:8]
    world = World(stack)
    world.engines = {
        s: sa.create_engine(stack.database_url(s)) for s in ("identity", "venues", "booking", "notifications")
    }
    _accounts(world, tag)
    x = venue(stack, needs_approval=True, free_public_use=True, manager=world.subs["mgr_x"])
    y = venue(stack, needs_approval=True, free_public_use=True, manager=world.subs["mgr_y"])
    z = venue(stack, needs_approval=False, free_public_use=False)
    world.ids |= {
        "area": x["area_id"],
        "venue_x": x["id"],
        "venue_y": y["id"],
        "venue_z": z["id"],
        "space_x": x["hall"]["id"],
        "space_y": y["hall"]["id"],
        "space_z": z["hall"]["id"],
    }
    _proven(world)
    world.headers = {"anon": {}} | {
        party: party_token(world, party, sub) for party, sub in world.subs.items()
    }
    world.ids["blackout_start"], world.ids["blackout_end"] = slot(days=200, hour=2, hours=1)
    start = datetime.fromisoformat(slot(days=1)[0])
    world.ids["window"] = urlencode(
        {"from": start.isoformat(), "to": (start + timedelta(days=90)).isoformat()}
    )
    _bookings(world, tag)
    _events_and_orders(world)
    _contacts_and_notifications(world)
    yield world
    for engine in world.engines.values():
        engine.dispose()
