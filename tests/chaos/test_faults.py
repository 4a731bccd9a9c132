"""The platform under faults: mixed work (venue requests and approvals, ticket purchases paid on
localstripe, check-ins, cancellations with refunds) for as long as the faults take, while in turn
the Kafka broker is killed with SIGKILL and restarted, each service's relay and consumer worker is
killed mid-batch and restarted, PostgreSQL crashes and restarts and the SMTP sink goes away and
comes back. Afterwards the checker proves from the databases, the topics, MailDev and localstripe
that every committed change produced its events and every event had its effect exactly once; and
the same checker, given the run's snapshot with one effect taken away or doubled, names exactly it.

The run takes about four minutes (the broker's restart alone over one), so it runs when
XUDONG_CHAOS=1, which `.ci/run` sets."""

import copy
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.chaos.checker import HOLDING_ENTRIES, Snapshot, consumer_lag, read_snapshot, violations
from tests.chaos.faults import FaultRun, heal
from tests.chaos.workload import Ledger, Scene, Workload, redeliver_payments, set_scene
from xudong.stack import SERVICES, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(os.environ.get("XUDONG_CHAOS") != "1", reason="the chaos run needs XUDONG_CHAOS=1"),
]
CATCH_UP = 30.0  # seconds after the last fault within which every consumer group is back at the end
SETTLE = 120.0  # how long the platform gets to finish what the faults held up (emails' backoff…)


@dataclass
class ChaosRun:
    scene: Scene
    ledger: Ledger
    faults: FaultRun
    caught_up_after: float | None  # seconds from the last fault to no lag anywhere
    lag_seen: list[tuple[float, Any]]  # what the catching up looked like
    snapshot: Snapshot


@pytest.fixture(scope="module")
def chaos(platform: Stack) -> ChaosRun:
    scene = set_scene(platform)
    ledger = Ledger(tag=f"chaos{uuid.uuid4().hex[:6]}")
    faults = FaultRun(platform)
    try:
        with Workload(platform, scene, ledger) as load:
            faults.start().join(timeout=300)
            load.stop.set()  # the last actions finish; nothing new starts
            lag_seen: list[tuple[float, Any]] = []
            caught_up_after = catch_up_time(platform, faults.last_healed, lag_seen)
    finally:
        heal(platform)
    redeliver_payments(platform, ledger, lambda intent: payment_recorded(platform, intent))
    settle(platform, scene)
    return ChaosRun(scene, ledger, faults, caught_up_after, lag_seen, read_snapshot(platform, scene, ledger))


def catch_up_time(stack: Stack, since: float, seen: list[tuple[float, Any]]) -> float | None:
    """Seconds from `since` until no consumer group lags, or None if that takes over CATCH_UP;
    each look goes into `seen` (seconds since, lag per group or the error)."""
    while time.monotonic() - since <= CATCH_UP:
        try:
            lag: Any = consumer_lag(stack)
        except Exception as exc:  # the broker may still be electing its partitions' leaders
            lag = repr(exc)
        seen.append((round(time.monotonic() - since, 1), lag))
        if isinstance(lag, dict) and not any(lag.values()):
            return time.monotonic() - since
        time.sleep(0.5)
    return None


def scalar(stack: Stack, database: str, sql: str, **params: Any) -> Any:
    engine = sa.create_engine(stack.database_url(database))
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar_one()
    finally:
        engine.dispose()


def payment_recorded(stack: Stack, intent: str) -> bool:
    return bool(
        scalar(
            stack,
            "booking",
            "SELECT (SELECT count(*) FROM orders WHERE payment_intent_id = :i AND paid_amount > 0)"
            " + (SELECT count(*) FROM venue_bookings WHERE payment_intent_id = :i AND paid_amount > 0)",
            i=intent,
        )
    )


def settle(stack: Stack, scene: Scene) -> None:
    """Waits (bounded) until the outboxes are empty, no group lags, no email is due unsent and no
    refund is owed; what is still unsettled then is for the checker to name."""
    spaces = [s["id"] for s in scene.place["spaces"]]
    checks: list[Callable[[], bool]] = [
        lambda: all(scalar(stack, s, "SELECT count(*) FROM outbox") == 0 for s in SERVICES),
        lambda: not any(consumer_lag(stack).values()),
        lambda: (
            scalar(
                stack,
                "notifications",
                "SELECT count(*) FROM notifications WHERE channel = 'email' AND status = 'pending'"
                " AND send_after <= now()",
            )
            == 0
        ),
        lambda: (
            scalar(
                stack,
                "booking",
                "SELECT (SELECT count(*) FROM orders"
                " WHERE refund_due > refunded_amount AND event_id::text = ANY(:e))"
                " + (SELECT count(*) FROM venue_bookings WHERE refund_due > refunded_amount"
                " AND space_id::text = ANY(:s))",
                e=[scene.standing["id"], scene.seated["id"]],
                s=spaces,
            )
            == 0
        ),
    ]
    deadline = time.monotonic() + SETTLE
    while time.monotonic() < deadline and not all(check() for check in checks):
        time.sleep(1)


def test_after_every_fault_each_change_had_its_events_and_each_event_its_effect_once(chaos: ChaosRun) -> None:
    """Every fault of the schedule was injected and undone while the workload ran; the workload
    did each kind of thing; and the checker finds nothing missing, doubled, overlapping or oversold."""
    assert chaos.faults.error is None, repr(chaos.faults.error)
    assert [name for name, _ in chaos.faults.done] == [f.name for f in chaos.faults.faults]
    ledger, snap = chaos.ledger, chaos.snapshot
    did = {
        "orders": len(ledger.orders),
        "paid": len(ledger.intents_paid),
        "cancelled": len(ledger.cancelled),
        "checked in": len(ledger.checked_in),
        "venue requests": len(ledger.bookings),
        "approvals": len(ledger.approved),
    }
    assert all(did.values()), did
    print(figures(chaos, did))
    assert ledger.surprises == []
    assert violations(snap, ledger) == [], f"the workload: {did}; unanswered requests: {ledger.failures}"


def figures(chaos: ChaosRun, did: dict[str, int]) -> str:
    snap = chaos.snapshot
    seen = {
        "events": len({e["id"] for e in snap.events}),
        "messages": len(snap.events),
        "tickets": len(snap.tickets),
        "notifications": len(snap.notifications),
        "emails": len(snap.mails),
        "refunds": sum(len(r) for r in snap.refunds.values()),
        "unanswered": len(chaos.ledger.failures),
    }
    faults = chaos.faults.done
    return f"chaos run: {did}; {seen}; faults (s): {faults}; caught up after {chaos.caught_up_after} s"


def test_every_consumer_group_caught_up_within_30_s_of_the_last_fault(chaos: ChaosRun) -> None:
    """Every group's committed offsets reached the end of its topics within 30 s of the last fault."""
    print(f"lag after the last fault (s, lag per group): {chaos.lag_seen}")
    assert chaos.caught_up_after is not None, (
        f"still lagging {CATCH_UP:.0f} s after the last fault: {chaos.lag_seen}"
    )


# --- the negative control: the same checker on the run's snapshot with one effect broken ----------
def paid_standing_order(snap: Snapshot) -> dict[str, Any]:
    """A paid order of standing places none of whose tickets has been through the door."""
    checked = {t["order_id"] for t in snap.tickets if t["checked_in_at"]}
    return next(
        o for o in snap.orders if o["status"] == "paid" and not o["seat_ids"] and o["id"] not in checked
    )


def confirmation_of(snap: Snapshot, order: dict[str, Any]) -> dict[str, Any]:
    issued = next(
        e["id"] for e in snap.events if e["type"] == "booking.tickets.issued" and e["subject"] == order["id"]
    )
    return next(
        n
        for n in snap.notifications
        if n["event_id"] == issued and n["template"] == "order_confirmation" and n["channel"] == "email"
    )


def lose_a_ticket(snap: Snapshot) -> str:
    order = paid_standing_order(snap)
    lost = next(t for t in snap.tickets if t["order_id"] == order["id"])
    snap.tickets.remove(lost)
    places = order["quantity"]
    return f"order {order['id']} (paid, {places} places) has {places - 1} valid tickets of {places - 1}"


def double_a_ticket(snap: Snapshot) -> str:
    order = paid_standing_order(snap)
    twin = next(t for t in snap.tickets if t["order_id"] == order["id"])
    snap.tickets.append(twin | {"code": "twin-" + twin["code"]})
    places = order["quantity"]
    return f"order {order['id']} (paid, {places} places) has {places + 1} valid tickets of {places + 1}"


def lose_an_email(snap: Snapshot) -> str:
    note = confirmation_of(snap, paid_standing_order(snap))
    snap.mails = [m for m in snap.mails if m["notification"] != note["id"]]
    return f"email notification {note['id']} (order_confirmation) reached MailDev 0 times"


def double_an_email(snap: Snapshot) -> str:
    note = confirmation_of(snap, paid_standing_order(snap))
    snap.mails.append(next(m for m in snap.mails if m["notification"] == note["id"]))
    return f"email notification {note['id']} (order_confirmation) reached MailDev 2 times"


def double_a_refund(snap: Snapshot) -> str:
    order = next(o for o in snap.orders if o["status"] == "cancelled" and o["refunded_amount"])
    back = snap.refunds[order["payment_intent_id"]]
    back.append(back[0])
    owed, recorded = order["refund_due"], order["refunded_amount"]
    return f"{order['id']}: owed back {owed}, recorded {recorded}, Stripe refunded {back}"


def skip_an_event(snap: Snapshot) -> str:
    """As a consumer whose dedupe dropped a new event for an old one would."""
    event = next(e for e in snap.events if e["type"] == "booking.tickets.issued")
    snap.processed["notifications"].discard(event["id"])
    return f"booking.tickets.issued {event['id']} about {event['subject']} was never applied by notifications"


def lose_an_event(snap: Snapshot) -> str:
    order = paid_standing_order(snap)
    snap.events = [
        e for e in snap.events if not (e["type"] == "booking.order.paid" and e["subject"] == order["id"])
    ]
    return f"booking.order.paid about {order['id']} never reached its topic"


def double_book_a_slot(snap: Snapshot) -> str:
    """As a venues consumer that held a slot without its exclusion constraint would."""
    taken = next(e for e in snap.entries if e["status"] in HOLDING_ENTRIES)
    snap.entries.append(taken | {"id": "twin-" + taken["id"], "status": "held", "venue_booking_id": None})
    return f"entries {taken['id']} and twin-{taken['id']} overlap on space {taken['space_id']}"


@pytest.mark.parametrize(
    "breakage",
    [
        lose_a_ticket,
        double_a_ticket,
        lose_an_email,
        double_an_email,
        double_a_refund,
        skip_an_event,
        lose_an_event,
        double_book_a_slot,
    ],
)
def test_the_checker_names_exactly_what_is_missing_or_doubled(
    chaos: ChaosRun, breakage: Callable[[Snapshot], str]
) -> None:
    """The run's own snapshot, with one effect taken away or doubled in a copy: the checker
    reports that violation and nothing else."""
    already = violations(chaos.snapshot, chaos.ledger)  # the run's own, reported by the test above
    broken = copy.deepcopy(chaos.snapshot)
    expected = breakage(broken)
    assert [v for v in violations(broken, chaos.ledger) if v not in already] == [expected]
