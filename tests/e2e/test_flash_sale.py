"""A flash sale: a thousand buyers at once against 500 standing places and a 200-seat map. Exactly
what exists is sold, no seat twice, every buyer gets an answer; and, as a control, the same rush
against holds without their guard oversells."""

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from booking import handlers, orders, ticketing
from booking.bootstrap import bootstrap
from booking.domain.ticketing import SoldOut
from booking.domain.venue_booking import RequestRejected
from booking.payments import Intent
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal
from eventbus.migrations import upgrade
from eventbus.runtime import Runtime
from eventbus.settings import Settings
from tests.e2e.ticket_fixtures import api, ga, on_sale, order_status, pay, seated, seats_of, somewhere
from tests.e2e.venue_fixtures import venue
from xudong.processes import ROOT
from xudong.stack import Stack

pytestmark = pytest.mark.stack
BUYERS, STANDING, ROWS, PER_ROW = 1000, 500, 10, 20  # 10 rows of 20: 200 seats
PAID_SHARE = 0.75  # of the holds of the in-process sales, the first ones placed
HALL = [  # the seats sold by seat, and the standing places, which the hall holds too
    {
        "name": "Khán phòng",
        "rows": [{"label": chr(65 + r), "seats": PER_ROW, "category": "standard"} for r in range(ROWS)],
    },
    {
        "name": "Chỗ đứng",
        "rows": [{"label": f"S{r}", "seats": STANDING // 5, "category": "standing"} for r in range(5)],
    },
]

Buy = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def rush(
    buy: Buy, left: Callable[[], dict[str, Any]], event: dict[str, Any], clients: int
) -> tuple[Counter[int], list[dict[str, Any]]]:
    """A thousand buyers, `clients` of them at any moment: six in ten want 1 to 4 standing places,
    the others 1 to 3 seats near the front. A buyer refused because others were faster looks again
    and tries what is left, until the kind of ticket they want is gone. Every answer is counted by
    its status; the held orders are returned as their buyers received them."""
    general = event["types"][0]
    answers: Counter[int] = Counter()
    held: list[dict[str, Any]] = []
    lock, start = threading.Lock(), threading.Barrier(clients)

    def buyer(i: int) -> None:
        pick = random.Random(i)
        if i < clients:
            start.wait()  # the first wave leaves the gate together
        wants_seats = pick.random() < 0.4
        quantity = pick.randint(1, 3 if wants_seats else 4)
        for _ in range(6):
            state = left()
            if wants_seats:
                free = [s["id"] for s in state["seats"] if s["state"] == "available"]
                if not free:
                    return
                front = free[: max(quantity * 4, 12)]
                body = {"seats": pick.sample(front, min(quantity, len(front)))}
            else:
                available = next(t["available"] for t in state["ticket_types"] if t["id"] == general)
                if available <= 0:
                    return
                body = {"items": [{"ticket_type_id": general, "quantity": min(quantity, available)}]}
            status, answer = buy(body | {"event_id": event["id"], "email": f"fan{i}@example.vn"})
            with lock:
                answers[status] += 1
                if status == 201:
                    held.append(answer)
            if status != 409:
                return

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(buyer, range(BUYERS)))
    return answers, held


def broken_promises(engine: sa.Engine, event_id: str) -> list[str]:
    """What must hold after any rush, read from the database: no ticket type sells more than its
    quota, its counter equals what live orders hold, no seat is in two valid tickets or two orders,
    and each paid order has one ticket per place it bought."""
    checks = {
        "a ticket type sells beyond its quota": """
            SELECT t.id FROM ticket_types t WHERE t.event_id = :e AND t.quota < (
                SELECT count(*) FROM tickets k WHERE k.ticket_type_id = t.id AND k.status = 'valid')""",
        "a counter differs from the places live orders hold": """
            SELECT t.id FROM ticket_types t WHERE t.event_id = :e AND t.kind <> 'seated' AND t.taken <> (
                SELECT coalesce(sum(i.quantity), 0) FROM order_items i JOIN orders o ON o.id = i.order_id
                WHERE i.ticket_type_id = t.id AND o.status IN ('held', 'paid'))""",
        "a seat is in two valid tickets": """
            SELECT seat_id FROM tickets WHERE event_id = :e AND status = 'valid' AND seat_id IS NOT NULL
            GROUP BY seat_id HAVING count(*) > 1""",
        "a seat is in two orders that hold or own it": """
            SELECT s FROM orders o, jsonb_array_elements_text(o.seat_ids) s
            WHERE o.event_id = :e AND o.status IN ('held', 'paid') GROUP BY s HAVING count(*) > 1""",
        "a paid order lacks a ticket for a place it bought": """
            SELECT o.id FROM orders o WHERE o.event_id = :e AND o.status = 'paid' AND (
                SELECT sum(quantity) FROM order_items WHERE order_id = o.id)
                <> (SELECT count(*) FROM tickets WHERE order_id = o.id AND status = 'valid')""",
    }
    with engine.connect() as conn:
        return [
            what for what, query in checks.items() if conn.execute(sa.text(query), {"e": event_id}).first()
        ]


def sold(engine: sa.Engine, event_id: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT t.kind, count(k.code) FROM ticket_types t LEFT JOIN tickets k"
                " ON k.ticket_type_id = t.id AND k.status = 'valid' WHERE t.event_id = :e GROUP BY t.kind"
            ),
            {"e": event_id},
        )
        return {kind: count for kind, count in rows}


def test_a_thousand_buyers_get_exactly_what_exists_and_every_one_an_answer(platform: Stack) -> None:
    place = venue(platform, sections=HALL, needs_approval=False, free_public_use=True)
    event = on_sale(platform, [ga(STANDING, price=100_000), seated(price=250_000)], space="room", place=place)
    session, sessions = threading.local(), []

    def buy(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not hasattr(session, "http"):
            session.http = requests.Session()
            sessions.append(session.http)
        answer = session.http.post(api(platform, "/orders"), json=body, headers=somewhere(), timeout=120)
        return answer.status_code, answer.json()

    def left() -> dict[str, Any]:
        counts = requests.get(api(platform, f"/events/{event['id']}/availability"), timeout=60).json()
        return dict(counts) | {"seats": seats_of(platform, event["id"])}

    try:
        answers, held = rush(buy, left, event, clients=100)
    finally:
        for http in sessions:
            http.close()
    assert set(answers) <= {201, 409, 503}, answers  # held, sold out, or try again: nothing else
    engine = sa.create_engine(platform.database_url("booking"))
    try:
        assert held_places(engine, event["id"]) == {"general_admission": STANDING, "seated": ROWS * PER_ROW}
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda o: pay(platform, o), held))
        for o in held:
            order_status(platform, o, "paid", timeout=120)
        assert sold(engine, event["id"]) == {"general_admission": STANDING, "seated": ROWS * PER_ROW}
        assert broken_promises(engine, event["id"]) == []
    finally:
        engine.dispose()


def held_places(engine: sa.Engine, event_id: str) -> dict[str, int]:
    """Places that live orders hold or own, by kind of ticket."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT t.kind, sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id"
                " JOIN ticket_types t ON t.id = i.ticket_type_id"
                " WHERE o.event_id = :e AND o.status IN ('held', 'paid') GROUP BY t.kind"
            ),
            {"e": event_id},
        )
        return {kind: int(count) for kind, count in rows}


# --- the negative control --------------------------------------------------------------------------
class Unguarded(BookingUnitOfWork):
    """Holds as they would be written without the guard: look, then write what was seen."""

    def take_quota(self, type_id: str, quantity: int) -> bool:
        taken, quota = self.conn.execute(
            sa.text("SELECT taken, quota FROM ticket_types WHERE id = :t"), {"t": type_id}
        ).one()
        if taken + quantity > quota:
            return False
        self.conn.execute(
            sa.text("UPDATE ticket_types SET taken = :n WHERE id = :t"), {"n": taken + quantity, "t": type_id}
        )
        return True

    def take_seats(self, seat_ids: list[str], order_id: str, until: datetime, now: datetime) -> list[str]:
        free = self.conn.execute(
            sa.text("SELECT id FROM seats WHERE id = ANY(CAST(:s AS uuid[])) AND order_id IS NULL"),
            {"s": seat_ids},
        ).scalars()
        free_ids = [str(i) for i in free]
        if len(free_ids) == len(seat_ids):
            self.conn.execute(
                sa.text(  # locked in one order, as the guarded hold does, so that rivals wait, not deadlock
                    "UPDATE seats SET order_id = :o, held_until = :u WHERE id IN"
                    " (SELECT id FROM seats WHERE id = ANY(CAST(:s AS uuid[])) ORDER BY id FOR UPDATE)"
                ),
                {"o": order_id, "u": until, "s": seat_ids},
            )
        return free_ids


class Settled:
    """Stripe as the in-process sale needs it: each intent it is asked about has succeeded, for
    what the order owed."""

    def __init__(self) -> None:
        self.intents: dict[str, Intent] = {}

    def fetch_intent(self, intent_id: str) -> Intent | None:
        return self.intents.get(intent_id)


def pay_in_process(
    runtime: Runtime, unit_of_work: type[BookingUnitOfWork], held: list[dict[str, Any]]
) -> None:
    """Each order paid in full through the use case a Stripe webhook calls."""
    stripe = Settled()
    for order in held:
        intent = Intent(f"pi_rush_{order['id']}", "", "succeeded", order["total"], {"order_id": order["id"]})
        stripe.intents[intent.id] = intent
        with unit_of_work(runtime) as uow:
            uow.remember_intent("order", order["id"], intent.id)
            uow.commit()
        assert handlers.settle_payment(unit_of_work(runtime), stripe, intent.id) == "applied"  # type: ignore[arg-type]


def in_process_sale(
    stack: Stack, unit_of_work: type[BookingUnitOfWork]
) -> tuple[Counter[int], sa.Engine, str]:
    """The same rush straight through the use cases, on a fresh booking database whose own
    constraints are gone too; then PAID_SHARE of the holds are paid, so that what must hold of
    tickets is looked at as well as what must hold of holds."""
    name = f"booking_rush_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "booking", url)
    runtime = bootstrap(Settings("booking", url, stack.kafka_bootstrap))
    with runtime.engine.begin() as conn:  # the database's own last word goes too
        conn.execute(sa.text("ALTER TABLE ticket_types DROP CONSTRAINT ticket_types_within_quota"))
        conn.execute(sa.text("DROP INDEX tickets_one_per_seat"))
    organiser = Principal("organiser-rush", "organiser")
    start = datetime.now(UTC) + timedelta(days=30)
    space_id, booking_id = str(uuid.uuid4()), str(uuid.uuid4())
    with BookingUnitOfWork(runtime) as uow:
        uow.save_space(
            {
                "space_id": space_id,
                "venue_id": str(uuid.uuid4()),
                "venue_name": {"vi": "Nhà hát", "en": "Theatre"},
                "venue_kind": "theatre",
                "area_id": str(uuid.uuid4()),
                "venue_status": "active",
                "layout_kind": "seated",
                "capacity": ROWS * PER_ROW + STANDING,
                "layout": {"kind": "seated", "sections": HALL},
                "plots": {},
                "rules": {},
            }
        )
        uow.add_booking(
            {
                "id": booking_id,
                "organiser_id": organiser.sub,
                "space_id": space_id,
                "venue_id": str(uuid.uuid4()),
                "starts_at": start,
                "ends_at": start + timedelta(hours=4),
                "title": "rush",
                "purpose": "rush",
                "expected_attendance": 700,
                "language": "vi",
                "status": "confirmed",
                "fee_amount": 0,
                "deposit": 0,
            }
        )
        uow.commit()
    body: dict[str, Any] = {
        "venue_booking_id": booking_id,
        "title": {"vi": "Chèo", "en": "Cheo"},
        "description": {"vi": "", "en": ""},
        "category": "cheo",
        "sessions": [{"start": start + timedelta(hours=1), "end": start + timedelta(hours=3)}],
        "images": [],
        "ticket_types": [
            ga(STANDING, price=100_000, seat_category=None, per_order_limit=10),
            seated(price=250_000, quota=None, per_order_limit=10),
        ],
        "language": "vi",
        "per_buyer_limit": 10,
        "hold_minutes": 10,
        "refund_policy": [],
    }
    for t in body["ticket_types"]:
        t.update(sale_starts_at=None, sale_ends_at=None)
    _, created = ticketing.create_event(BookingUnitOfWork(runtime), organiser, body, None)
    ticketing.publish_event(BookingUnitOfWork(runtime), organiser, created["id"])
    event = {
        "id": created["id"],
        "types": [
            t["id"]
            for t in ticketing.get_event(BookingUnitOfWork(runtime), None, created["id"])["ticket_types"]
        ],
    }

    def buy(order: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            return orders.place_order(
                unit_of_work(runtime),
                None,
                {"language": "vi", "items": [], "seats": []} | order,
                None,
                "rush",
            )
        except SoldOut:
            return 409, {}
        except RequestRejected:
            return 422, {}

    def left() -> dict[str, Any]:
        seats, _ = ticketing.seat_map(BookingUnitOfWork(runtime), event["id"], {"cursor": None, "limit": 200})
        return ticketing.availability(BookingUnitOfWork(runtime), event["id"]) | {"seats": seats}

    try:
        answers, held = rush(buy, left, event, clients=30)
        pay_in_process(runtime, unit_of_work, held[: int(len(held) * PAID_SHARE)])
    except BaseException:
        runtime.engine.dispose()  # a failure here does not leave its connections to a later test
        raise
    return answers, runtime.engine, event["id"]


def test_the_control_without_the_guard_oversells_under_the_same_rush(stack: Stack) -> None:
    answers, engine, event_id = in_process_sale(stack, Unguarded)
    broken, places, tickets = (
        broken_promises(engine, event_id),
        held_places(engine, event_id),
        sold(engine, event_id),
    )
    engine.dispose()
    oversold = places.get("general_admission", 0) > STANDING or places.get("seated", 0) > ROWS * PER_ROW
    caught = {
        "a seat is in two orders that hold or own it",  # of the holds
        "a ticket type sells beyond its quota",  # and of the tickets paid for
        "a paid order lacks a ticket for a place it bought",  # its seat was taken over by a rival
    }
    assert oversold and caught <= set(broken), (answers, places, tickets, broken)


def test_the_same_rush_in_process_with_the_guard_holds_exactly_what_exists(stack: Stack) -> None:
    answers, engine, event_id = in_process_sale(stack, BookingUnitOfWork)
    try:
        assert set(answers) <= {201, 409}, answers
        assert held_places(engine, event_id) == {"general_admission": STANDING, "seated": ROWS * PER_ROW}
        tickets = sold(engine, event_id)
        assert 0 < tickets["general_admission"] < STANDING and 0 < tickets["seated"] < ROWS * PER_ROW, tickets
        assert broken_promises(engine, event_id) == []
    finally:
        engine.dispose()
