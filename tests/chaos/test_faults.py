"""The platform under faults: mixed work (venue requests, approvals and payments, ticket purchases
paid on localstripe, check-ins, cancellations with refunds) for as long as the faults take and
until it has gone on after the last, while in turn the Kafka broker is killed with SIGKILL and
restarted, each publishing relay and each consumer worker is killed with work in hand and
restarted, PostgreSQL crashes with transactions open and restarts and the SMTP sink goes away
while emails wait. Each fault must have hit work in flight. Afterwards the checker proves from the
databases, the topics, MailDev and localstripe that every committed change produced its events and
every event had its effect exactly once; and the same checker, given the run's snapshot with one
defect put in (tests/chaos/controls.py), names exactly it.

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

from tests.chaos.checker import violations
from tests.chaos.controls import CONTROLS
from tests.chaos.faults import REPORT, FaultRun, heal, missed
from tests.chaos.snapshot import Snapshot, consumer_lag, read_snapshot
from tests.chaos.stripe_hooks import recorded_webhooks, redeliver
from tests.chaos.workload import PATIENCE, Ledger, Scene, Workload, set_scene
from xudong.stack import SERVICES, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(os.environ.get("XUDONG_CHAOS") != "1", reason="the chaos run needs XUDONG_CHAOS=1"),
]
CATCH_UP = 30.0  # seconds after the last fault within which every consumer group is back at the end
SETTLE = 120.0  # how long the platform gets to finish what the faults held up (emails' backoff…)
GOING_ON = 20.0  # how long the workload has to show it goes on after the last fault
# What the workload must have done, at the least, for the run to prove anything.
FLOORS = {
    "orders": 20,
    "paid": 10,
    "cancelled": 3,
    "checked in": 3,
    "venue requests": 5,
    "approvals": 2,
    "venue payments": 2,
}


@dataclass
class ChaosRun:
    scene: Scene
    ledger: Ledger
    faults: FaultRun
    caught_up_after: float | None  # seconds from the last fault to no lag anywhere
    lag_seen: list[tuple[float, Any]]  # what the catching up looked like
    going_on: dict[str, int]  # what the workload had done when it stopped, after the last fault
    snapshot: Snapshot


@pytest.fixture(scope="module")
def chaos(platform: Stack, request: pytest.FixtureRequest) -> ChaosRun:
    ledger = Ledger(tag=f"chaos{uuid.uuid4().hex[:6]}")
    scene = set_scene(platform, ledger)
    faults = FaultRun(platform, ledger.did)
    lag_seen: list[tuple[float, Any]] = []
    with recorded_webhooks(platform) as (deliveries, here):
        try:
            with Workload(platform, scene, ledger) as load:
                faults.start().join(timeout=600)
                going_on = go_on(ledger, faults)
                load.stop.set()  # the last actions finish; nothing new starts
            caught_up_after = catch_up_time(platform, faults.last_healed, lag_seen)
        finally:
            heal(platform)
        unacknowledged = redeliver(deliveries, here, ledger.intents_paid, PATIENCE)
        ledger.failures += [f"the webhook of payment {i}" for i in unacknowledged]
    settle(platform, scene)
    run = ChaosRun(
        scene, ledger, faults, caught_up_after, lag_seen, going_on, read_snapshot(platform, scene, ledger)
    )
    request.config.stash[REPORT] = report(run)
    return run


def go_on(ledger: Ledger, faults: FaultRun) -> dict[str, int]:
    """What the workload has done once it did more after the last fault (or GOING_ON passed)."""
    last = sum(faults.done[-1]["progress"].values()) if faults.done else 0
    deadline = time.monotonic() + GOING_ON
    while sum(ledger.did().values()) <= last and time.monotonic() < deadline:
        time.sleep(0.2)
    return ledger.did()


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


def settle(stack: Stack, scene: Scene) -> None:
    """Waits (bounded) until the outboxes are empty, no group lags, no email is due unsent or
    waiting for its next attempt (the SMTP sink's bounce leaves some a backoff away) and no refund
    is owed; what is still unsettled then is for the checker to name."""
    spaces = [s["id"] for s in scene.place["spaces"]]
    checks: list[Callable[[], bool]] = [
        lambda: all(scalar(stack, s, "SELECT count(*) FROM outbox") == 0 for s in SERVICES),
        lambda: not any(consumer_lag(stack).values()),
        lambda: (
            scalar(
                stack,
                "notifications",
                "SELECT count(*) FROM notifications WHERE channel = 'email' AND status = 'pending'"
                " AND (send_after <= now() OR attempts > 0)",
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
    """Every fault of the schedule was injected, hit work in flight and was undone while the
    workload ran; the workload did enough of each thing, every request got its answer; and the
    checker finds nothing missing, doubled, misplaced, mischarged, overlapping or oversold."""
    assert chaos.faults.error is None, repr(chaos.faults.error)
    assert [d["fault"] for d in chaos.faults.done] == [f.name for f in chaos.faults.faults]
    print("\n".join(report(chaos)))
    assert missed(chaos.faults.done) == []
    did = chaos.going_on | {"refunds": sum(len(r) for r in chaos.snapshot.refunds.values())}
    assert {k: n for k, n in did.items() if n < FLOORS.get(k, 2)} == {}, did
    assert chaos.ledger.surprises == []
    assert violations(chaos.snapshot, chaos.ledger) == []


def test_the_workload_went_on_after_every_fault(chaos: ChaosRun) -> None:
    """After each fault the workload had done more than after the one before, and at its end more
    than after the last."""
    totals = [sum(d["progress"].values()) for d in chaos.faults.done] + [sum(chaos.going_on.values())]
    stalled = [
        d["fault"]
        for d, after in zip(chaos.faults.done, totals[1:], strict=True)
        if after <= sum(d["progress"].values())
    ]
    assert stalled == [], totals


def report(chaos: ChaosRun) -> list[str]:
    """What the run did and saw, and each fault with the work it hit and the process ids."""
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
    return [
        f"chaos run: did {chaos.going_on}; saw {seen};"
        f" caught up {chaos.caught_up_after} s after the last fault",
        *(
            f"  {d['fault']} ({d['seconds']} s) hit {d['hit']}, pids {d['pids'][0]} -> {d['pids'][1]}"
            for d in chaos.faults.done
        ),
    ]


def test_every_consumer_group_caught_up_within_30_s_of_the_last_fault(chaos: ChaosRun) -> None:
    """Every group's committed offsets reached the end of its topics within 30 s of the last fault."""
    print(f"lag after the last fault (s, lag per group): {chaos.lag_seen}")
    assert chaos.caught_up_after is not None, (
        f"still lagging {CATCH_UP:.0f} s after the last fault: {chaos.lag_seen}"
    )


def test_the_checker_names_each_defect_put_into_the_runs_own_snapshot(chaos: ChaosRun) -> None:
    """The controls of tests/chaos/controls.py on copies of the run's snapshot, each of those
    whose object the run has: the checker reports that defect and nothing new."""
    already = violations(chaos.snapshot, chaos.ledger)  # the run's own, reported by the test above
    applied, wrong = [], []
    for control in CONTROLS:
        snap, ledger = copy.deepcopy((chaos.snapshot, chaos.ledger))
        try:
            expected = control(snap, ledger)
        except (StopIteration, KeyError, IndexError):  # the run has no object of that kind
            continue
        applied.append(control.__name__)
        found = [v for v in violations(snap, ledger) if v not in already]
        if found != expected:
            wrong.append((control.__name__, expected, found))
    print(f"controls on the run's snapshot: {applied}")
    assert wrong == []
    assert len(applied) >= 30, applied
