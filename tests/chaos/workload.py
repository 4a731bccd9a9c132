"""A mixed workload through the public HTTP APIs and localstripe, as organisers, managers, buyers
and door staff would drive it, recording in a ledger what each of them was told: an answer in the
2xx range is a committed change, anything else (a refused connection, a 5xx while a fault lasts)
may or may not have happened and is retried with the same Idempotency-Key where the API takes one."""

import itertools
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from conftest import token
from tests.e2e.identity_events import give_contact
from tests.e2e.test_venue_payments import pay_with
from tests.e2e.ticket_fixtures import VISA, ga, on_sale, seated, somewhere
from tests.e2e.venue_fixtures import request_body, slot, venue
from xudong.stack import Stack

# Organisers, each with an account whose email the notifications service holds before the faults
# begin: the workload sends nothing to Kafka (whose client leaves a socket open for each connection
# the broker refuses), and none asks before it is known (its emails would then be owed to nobody).
ORGANISERS = 12
PATIENCE = 30.0  # how long an actor keeps retrying one request once no fault lasts
SLOTS = [(day, hour) for day in (40, 41, 42) for hour in (8, 11, 14)]  # few, so that requests collide


@dataclass
class Ledger:
    """What the platform told the actors, each list appended to by one kind of actor."""

    tag: str
    orders: list[dict[str, Any]] = field(default_factory=list)  # 201: id, token, email
    intents_paid: list[str] = field(default_factory=list)  # confirmed on Stripe with a good card
    cancelled: list[dict[str, Any]] = field(default_factory=list)  # each request: id, asked, answered, status
    checked_in: list[str] = field(default_factory=list)  # ticket codes a 200 let in
    bookings: list[dict[str, Any]] = field(default_factory=list)  # a 202 accepted: id, organiser
    bookings_paid: list[str] = field(default_factory=list)  # venue bookings whose payment began
    approved: list[str] = field(default_factory=list)  # schedule entries a 200 approved
    failures: list[str] = field(default_factory=list)  # requests that never got an answer
    surprises: list[str] = field(default_factory=list)  # answers no actor expected

    def did(self) -> dict[str, int]:
        """How many of each action the platform answered as done."""
        return {
            "orders": len(self.orders),
            "paid": len(self.intents_paid),
            "cancelled": sum(1 for c in self.cancelled if c["status"] == 200),
            "checked in": len(self.checked_in),
            "venue requests": len(self.bookings),
            "approvals": len(self.approved),
            "venue payments": len(self.bookings_paid),
        }


class Outage:
    """Whether a fault lasts, and when the last one was undone: an actor's patience with a request
    runs out PATIENCE after the later of its first try and the platform's being whole again, so
    a request goes unanswered only if the platform stays down after its faults, however long a
    fault (a crashed PostgreSQL's recovery) takes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lasting = 0
        self._healed = float("-inf")

    def begins(self) -> None:
        with self._lock:
            self._lasting += 1

    def ends(self, at: float) -> None:
        with self._lock:
            self._lasting -= 1
            self._healed = max(self._healed, at)

    def patience_over(self, began: float, now: float) -> bool:
        with self._lock:
            return not self._lasting and now > max(began, self._healed) + PATIENCE


OUTAGE = Outage()  # the chaos run's faults mark themselves here; every actor reads it


@dataclass
class Scene:
    """What the workload plays on: a venue that reviews requests, and two events on sale."""

    place: dict[str, Any]
    standing: dict[str, Any]
    seated: dict[str, Any]
    organisers: Iterator[str]  # who ask for the hall, in turn


def set_scene(stack: Stack, ledger: Ledger) -> Scene:
    """The venue (its manager with an email address), and the events on sale."""
    place = venue(stack)
    organisers = [f"org-{ledger.tag}-{n:02d}" for n in range(ORGANISERS)]
    people = {place["manager_id"]: "venue_manager"} | dict.fromkeys(organisers, "organiser")
    for sub, role in people.items():
        give_contact(stack, sub, f"{sub}@{ledger.tag}.example.vn", role=role)
    return Scene(
        place=place,
        standing=on_sale(stack, [ga(40, price=100_000, per_order_limit=4)]),
        seated=on_sale(stack, [seated(price=200_000)], space="room"),
        organisers=itertools.cycle(organisers),
    )


def call(
    ledger: Ledger, method: str, url: str, retry_on: tuple[int, ...] = (), **kwargs: Any
) -> requests.Response | None:
    """The answer to a request, asked again while it meets a fault (no answer, 5xx, or one of
    `retry_on`) until the actor's patience is over; None if no answer came in time."""
    began = time.monotonic()
    while True:
        try:
            answer = requests.request(method, url, timeout=10, **kwargs)
            if answer.status_code < 500 and answer.status_code not in retry_on:
                return answer
        except requests.RequestException:
            pass
        if OUTAGE.patience_over(began, time.monotonic()):
            ledger.failures.append(f"{method} {url}")
            return None
        time.sleep(0.5)


def booking_url(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.booking}/v1{path}"


def venues_url(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.venues}/v1{path}"


# --- buyers ------------------------------------------------------------------------------------
def buy(stack: Stack, scene: Scene, ledger: Ledger) -> None:
    """One buyer: standing places or seats, held under an Idempotency-Key, most of them paid."""
    event = random.choice([scene.standing, scene.seated])
    if event is scene.standing:
        choice: dict[str, Any] = {
            "items": [{"ticket_type_id": event["types"][0], "quantity": random.randint(1, 3)}]
        }
    else:
        free = [s["id"] for s in available_seats(stack, event, ledger)]
        if not free:
            return
        choice = {"seats": random.sample(free, min(len(free), random.randint(1, 2)))}
    email = f"buyer-{uuid.uuid4().hex[:8]}@{ledger.tag}.example.vn"
    answer = call(
        ledger,
        "POST",
        booking_url(stack, "/orders"),
        retry_on=(429,),
        json={"event_id": event["id"], "email": email} | choice,
        headers=somewhere() | {"Idempotency-Key": f"chaos-{uuid.uuid4()}"},
    )
    if answer is None or answer.status_code != 201:
        return
    held = answer.json()
    ledger.orders.append({"id": held["id"], "token": held["token"], "email": email})
    if random.random() < 0.85:
        pay_order(stack, held, ledger)


def available_seats(stack: Stack, event: dict[str, Any], ledger: Ledger) -> list[dict[str, Any]]:
    seats = booking_url(stack, f"/events/{event['id']}/seats?limit=200")  # the scene's halls are smaller
    answer = call(ledger, "GET", seats)
    if answer is None or answer.status_code != 200:
        return []
    return [s for s in answer.json()["items"] if s["state"] == "available"]


def pay_order(stack: Stack, held: dict[str, Any], ledger: Ledger) -> None:
    intent = call(
        ledger,
        "POST",
        booking_url(stack, f"/orders/{held['id']}/payment"),
        json={},
        headers={"X-Order-Token": held["token"]},
    )
    if intent is not None and intent.status_code == 200:
        pay_on_stripe(stack, intent.json()["payment_intent_id"], ledger)


def pay_on_stripe(stack: Stack, intent_id: str, ledger: Ledger) -> None:
    """The card goes straight to Stripe (localstripe), which tells the booking service by webhook."""
    if pay_with(stack, intent_id, VISA).get("status") == "succeeded":
        ledger.intents_paid.append(intent_id)


# --- after the purchase: cancellations and the door ---------------------------------------------
def cancel_or_check_in(stack: Stack, scene: Scene, ledger: Ledger) -> None:
    """A buyer of a paid order cancels it (refunded by the event's policy), or comes to the door."""
    asked = {c["id"] for c in ledger.cancelled}
    paid = [o for o in list(ledger.orders) if o["id"] not in asked]
    random.shuffle(paid)
    for held in paid[:5]:
        answer = call(
            ledger,
            "GET",
            booking_url(stack, f"/orders/{held['id']}"),
            retry_on=(429,),
            headers={"X-Order-Token": held["token"]},
        )
        if answer is None or answer.status_code != 200 or answer.json()["status"] != "paid":
            continue
        shown = answer.json()
        if random.random() < 0.3:
            cancel(stack, held, ledger)
        else:
            check_in(stack, scene, shown, ledger)
        return


def cancel(stack: Stack, held: dict[str, Any], ledger: Ledger) -> None:
    """Asked for, and when: the refund owed is the policy's for that moment."""
    asked = datetime.now(UTC)
    answer = call(
        ledger,
        "POST",
        booking_url(stack, f"/orders/{held['id']}/cancel"),
        json={},
        headers={"X-Order-Token": held["token"]},
    )
    status = answer.status_code if answer is not None else None
    ledger.cancelled.append(
        {"id": held["id"], "asked": asked, "answered": datetime.now(UTC), "status": status}
    )


def check_in(stack: Stack, scene: Scene, shown: dict[str, Any], ledger: Ledger) -> None:
    ticket = random.choice(shown["tickets"])
    event = next(e for e in (scene.standing, scene.seated) if e["id"] == shown["event_id"])
    answer = call(
        ledger,
        "POST",
        booking_url(stack, "/checkins"),
        json={"event_id": event["id"], "code": ticket["code"], "gate": "Cổng chính"},
        headers=event["venue"]["manager"],
    )
    if answer is not None and answer.status_code == 200:
        ledger.checked_in.append(ticket["code"])


# --- organisers and the venue's manager --------------------------------------------------------
def book_venue(stack: Stack, scene: Scene, ledger: Ledger) -> None:
    """An organiser now and then asks for the hall at one of a few times (so that requests
    collide), and pays for each request the manager approved."""
    if random.random() < 0.3:
        request_slot(stack, scene, ledger)
    for booking in list(ledger.bookings):
        if booking["id"] not in ledger.bookings_paid:
            pay_if_due(stack, booking, ledger)


def request_slot(stack: Stack, scene: Scene, ledger: Ledger) -> None:
    organiser = token("organiser", next(scene.organisers))
    day, hour = random.choice(SLOTS)
    answer = call(
        ledger,
        "POST",
        booking_url(stack, "/venue-bookings"),
        json=request_body(scene.place["hall"]["id"], *slot(days=day, hour=hour, hours=2)),
        headers=organiser | {"Idempotency-Key": f"chaos-{uuid.uuid4()}"},
    )
    if answer is not None and answer.status_code == 202:
        ledger.bookings.append({"id": answer.json()["id"], "organiser": organiser})


def pay_if_due(stack: Stack, booking: dict[str, Any], ledger: Ledger) -> None:
    url = booking_url(stack, f"/venue-bookings/{booking['id']}")
    shown = call(ledger, "GET", url, headers=booking["organiser"])
    if shown is None or shown.status_code != 200 or shown.json()["status"] != "awaiting_payment":
        return
    intent = call(ledger, "POST", url + "/payment", json={}, headers=booking["organiser"])
    if intent is not None and intent.status_code == 200:
        ledger.bookings_paid.append(booking["id"])
        pay_on_stripe(stack, intent.json()["payment_intent_id"], ledger)


def review(stack: Stack, scene: Scene, ledger: Ledger) -> None:
    """The venue's manager approves every request waiting in the review queue."""
    manager = scene.place["manager"]
    queue = call(ledger, "GET", venues_url(stack, "/review-queue"), headers=manager)
    if queue is None or queue.status_code != 200:
        return
    for entry in queue.json()["items"]:
        answer = call(
            ledger,
            "POST",
            venues_url(stack, f"/schedule-entries/{entry['id']}/approve"),
            json={},
            headers=manager,
        )
        if answer is not None and answer.status_code == 200:
            ledger.approved.append(entry["id"])


# --- the whole ---------------------------------------------------------------------------------
ACTORS: list[tuple[str, Callable[[Stack, Scene, Ledger], None], int]] = [
    ("buyer", buy, 3),
    ("door", cancel_or_check_in, 1),
    ("organiser", book_venue, 1),
    ("manager", review, 1),
]


class Workload:
    """Each actor repeats its action until stopped; an action in flight is finished first."""

    def __init__(self, stack: Stack, scene: Scene, ledger: Ledger) -> None:
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._repeat, args=(act, stack, scene, ledger), name=f"{name}-{n}")
            for name, act, count in ACTORS
            for n in range(count)
        ]

    def _repeat(
        self, act: Callable[[Stack, Scene, Ledger], None], stack: Stack, scene: Scene, ledger: Ledger
    ) -> None:
        while not self.stop.is_set():
            try:
                act(stack, scene, ledger)
            except Exception as exc:  # an answer the actor did not expect: noted, and on with the next
                ledger.surprises.append(f"{act.__name__}: {exc!r}")
            self.stop.wait(0.2)

    def __enter__(self) -> "Workload":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=PATIENCE * 4)
