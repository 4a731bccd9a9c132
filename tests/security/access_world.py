"""The parties of the access matrix and what each of them owns, made once through the public APIs:
venue X run by manager X and venue Y by manager Y; organiser A's confirmed booking on X with a
published event, drafts and a spare request; organiser B's requests waiting at X and Y; a guest's
held order, another guest's paid order with its tickets, B's own order; everyone's contact details
and A's notifications."""

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.ticket_fixtures import event_body, ga, order, order_status, pay
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack

ROLES = ("anon", "org_a", "org_b", "mgr_x", "mgr_y", "staff", "guest", "other")
GUESTS = ("guest", "other")  # buyers without an account, who hold an order's token
FAR_DAYS = itertools.count(60)  # days for the bookings and blackouts the matrix itself asks for


@dataclass
class World:
    """Everything the matrix names, by the placeholder it is named by in the table."""

    stack: Stack
    ids: dict[str, str] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    engines: dict[str, sa.Engine] = field(default_factory=dict)

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{getattr(self.stack.ports, service)}{path.format(**self.ids)}"

    def get(self, service: str, path: str, role: str) -> requests.Response:
        return requests.get(self.url(service, path), headers=self.headers[role], timeout=10)

    def query(self, service: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engines[service].connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql), params)]


def _request(world: World, role: str, place: dict[str, Any], days: int, title: str) -> str:
    start, end = slot(days=days, hour=10, hours=6)
    answer = requests.post(
        world.url("booking", "/v1/venue-bookings"),
        headers=world.headers[role],
        json=request_body(place["hall"]["id"], start, end, title=title),
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _entries(world: World, manager: str) -> dict[str, str]:
    """Schedule entry id by venue booking id, from a manager's review queue."""
    queue = world.get("venues", "/v1/review-queue", manager).json()["items"]
    return {e["venue_booking_id"]: e["id"] for e in queue}


def turn(booked: datetime, hour: int) -> list[dict[str, str]]:
    """The hour-long session, `hour` hours into the booked time, of one of the events that take
    turns on A's booking: two events on one booking may not run at once."""
    start = booked + timedelta(hours=hour)
    return [{"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}]


def _draft(world: World, title: str, hour: int) -> str:
    booked = datetime.fromisoformat(world.ids["booking_a_start"])
    body = event_body(
        world.ids["booking_a"], booked, [ga(100, per_order_limit=4)], sessions=turn(booked, hour)
    )
    answer = requests.post(
        world.url("booking", "/v1/events"),
        headers=world.headers["org_a"],
        json=body | {"title": {"vi": title, "en": title}},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _bookings(world: World, x: dict[str, Any], y: dict[str, Any], tag: str) -> None:
    """A's booking on X confirmed by manager X; the other requests held, waiting for a decision."""
    asked = {
        "booking_a": ("org_a", x, f"Chèo của A {tag}"),
        "spare_a": ("org_a", x, f"Dự phòng của A {tag}"),
        "pending_b": ("org_b", x, f"Chờ duyệt của B {tag}"),
        "approve_b": ("org_b", x, f"Để duyệt của B {tag}"),
        "reject_b": ("org_b", x, f"Để từ chối của B {tag}"),
        "pending_y": ("org_b", y, f"Ở Y của B {tag}"),
    }
    for days, (name, (role, place, title)) in enumerate(asked.items(), start=30):
        world.ids[name] = _request(world, role, place, days, title)
        world.ids[f"{name}_title"] = title
    world.ids["booking_a_start"] = slot(days=30, hour=10, hours=6)[0]
    for name, (role, _, _) in asked.items():
        booking_status(world.stack, world.ids[name], world.headers[role], "held")
    at_x = _entries(world, "mgr_x")
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
    """A's published event with a guest's held order, another guest's paid one and B's own; A's drafts."""
    for hour, name in enumerate(("event", "draft", "to_publish", "to_cancel")):
        world.ids[f"{name}_title"] = f"{name} {uuid.uuid4().hex[:8]}"
        world.ids[name] = _draft(world, world.ids[f"{name}_title"], hour)
    published = requests.post(
        world.url("booking", "/v1/events/{event}/publish"),
        headers=world.headers["org_a"],
        json={},
        timeout=10,
    )
    assert published.status_code == 200, published.text
    shown = world.get("booking", "/v1/events/{event}", "anon").json()
    world.ids["type"] = shown["ticket_types"][0]["id"]
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
    pay(world.stack, placed["other_order"])
    paid = order_status(world.stack, placed["other_order"], "paid")
    world.ids["code"] = paid["tickets"][0]["code"]
    world.headers["guest"] = {"X-Order-Token": world.ids["order_token"]}
    world.headers["other"] = {"X-Order-Token": world.ids["other_order_token"]}


def _contacts_and_notifications(world: World, tag: str) -> None:
    for role in ROLES:
        if role in GUESTS or role == "anon":
            continue
        world.ids[f"{role}_email"] = f"{role.replace('_', '-')}-{tag}@example.vn"
        saved = requests.put(
            world.url("notifications", "/v1/contacts/me"),
            headers=world.headers[role],
            json={"email": world.ids[f"{role}_email"], "language": "en"},
            timeout=10,
        )
        assert saved.status_code == 200, saved.text

    def a_has_news() -> list[dict[str, Any]]:
        """organiser A has something in their inbox"""
        return list(world.get("notifications", "/v1/notifications?limit=100", "org_a").json()["items"])

    world.ids["note_a"] = eventually(a_has_news, timeout=60)[-1]["id"]


def make_world(stack: Stack) -> Iterator[World]:
    tag = uuid.uuid4().hex[:8]
    world = World(stack)
    world.engines = {
        s: sa.create_engine(stack.database_url(s)) for s in ("venues", "booking", "notifications")
    }
    x = venue(stack, needs_approval=True, free_public_use=True)
    y = venue(stack, needs_approval=True, free_public_use=True)
    world.ids |= {
        "sub_a": f"org-a-{tag}",
        "sub_b": f"org-b-{tag}",
        "area": x["area_id"],
        "venue_x": x["id"],
        "space_x": x["hall"]["id"],
        "space_y": y["hall"]["id"],
    }
    world.headers = {
        "anon": {},
        "org_a": token("organiser", world.ids["sub_a"]),
        "org_b": token("organiser", world.ids["sub_b"]),
        "mgr_x": x["manager"],
        "mgr_y": y["manager"],
        "staff": token("staff", f"staff-{tag}"),
    }
    start = datetime.fromisoformat(slot(days=1)[0])
    world.ids["window"] = urlencode(
        {"from": start.isoformat(), "to": (start + timedelta(days=90)).isoformat()}
    )
    _bookings(world, x, y, tag)
    _events_and_orders(world)
    _contacts_and_notifications(world, tag)
    yield world
    for engine in world.engines.values():
        engine.dispose()
