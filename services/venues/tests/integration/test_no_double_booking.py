"""The database, not the application, keeps a space from being booked twice: fifty requests for
overlapping times placed at once, with the exclusion constraint and, as a control, without it.
And the schedule's lock keeps two overlapping requests from deadlocking on that constraint."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa

from eventbus.envelope import Envelope, new_event
from eventbus.settings import Settings
from venues import handlers
from venues.bootstrap import bootstrap
from venues.unit_of_work import VenuesUnitOfWork
from xudong.processes import ROOT
from xudong.stack import Stack

pytestmark = pytest.mark.stack
Fresh = Callable[..., tuple[VenuesUnitOfWork, str]]
RULES = {
    "opening_hours": {},
    "min_duration_minutes": 60,
    "max_duration_minutes": 600,
    "lead_time_hours": 0,
    "buffer_minutes": 30,
    "rate": {"unit": "hour", "amount": 100_000},
    "deposit_share": 0.0,
    "needs_approval": True,
    "cancellation_policy": [],
}


@pytest.fixture
def fresh(stack: Stack) -> Iterator[Fresh]:
    """Makes fresh venues databases, each with one space; their connections are closed after the
    test, passed or failed (a failure would otherwise leave them to be collected in a later test)."""
    engines: list[sa.Engine] = []

    def make(guarded: bool, needs_approval: bool = True) -> tuple[VenuesUnitOfWork, str]:
        uow, space_id, engine = fresh_venues_database(stack, guarded, needs_approval)
        engines.append(engine)
        return uow, space_id

    yield make
    for engine in engines:
        engine.dispose()


def fresh_venues_database(
    stack: Stack, guarded: bool, needs_approval: bool
) -> tuple[VenuesUnitOfWork, str, sa.Engine]:
    from eventbus.migrations import upgrade

    name = f"venues_{'guarded' if guarded else 'unguarded'}_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "venues", url)
    runtime = bootstrap(Settings("venues", url, stack.kafka_bootstrap))
    if not guarded:
        with runtime.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE schedule_entries DROP CONSTRAINT schedule_entries_no_overlap"))
    area = handlers.create_area(VenuesUnitOfWork(runtime), "province", "Tỉnh", "Province", None, None)
    venue_id = handlers.register_venue(
        VenuesUnitOfWork(runtime),
        {
            "key": "hall",
            "name": {"vi": "Nhà", "en": "House"},
            "kind": "theatre",
            "area_id": area.id,
            "address": "x",
            "coordinates": None,
            "status": "active",
            "funding_model": "public",
            "operator": "x",
            "amenities": [],
            "photos": [],
            "sample_values": True,
            "spaces": [
                {
                    "key": "hall",
                    "name": {"vi": "Hội trường", "en": "Hall"},
                    "layout": {"kind": "general_admission", "capacity": 100},
                    "rules": RULES | {"needs_approval": needs_approval},
                }
            ],
        },
    )
    space_id = handlers.get_venue(VenuesUnitOfWork(runtime), venue_id)["spaces"][0]["id"]
    return VenuesUnitOfWork(runtime), space_id, runtime.engine


def requested(space_id: str, i: int, start: datetime) -> Envelope:
    return new_event(
        "booking",
        "booking.venue_booking.requested",
        str(uuid.uuid4()),
        {
            "venue_booking_id": str(uuid.uuid4()),
            "organiser_id": f"org-{i}",
            "space_id": space_id,
            "plot_id": None,
            "title": f"request {i}",
            "start": (start + timedelta(minutes=i)).isoformat(),
            "end": (start + timedelta(hours=2)).isoformat(),
        },
    )


def place(uow: VenuesUnitOfWork, event: Envelope, errors: list[str]) -> None:
    """Places one request in its own transaction, as the consumer does; its error, if any, is noted."""
    try:
        with uow.runtime.engine.begin() as conn, VenuesUnitOfWork(uow.runtime, conn) as joined:
            handlers.place_requested_slot(joined, event)
    except sa.exc.DBAPIError as exc:
        errors.append(type(exc.orig).__name__)


def outcome(uow: VenuesUnitOfWork, errors: list[str]) -> dict[str, int]:
    """What the schedule holds, by status, and how many requests failed with what error."""
    with uow.runtime.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT status, count(*) FROM schedule_entries GROUP BY status"))
        return {status: count for status, count in rows} | {e: errors.count(e) for e in errors}


def place_fifty_at_once(uow: VenuesUnitOfWork, space_id: str) -> dict[str, int]:
    start = datetime.now(UTC) + timedelta(days=3)
    barrier = threading.Barrier(50)
    errors: list[str] = []

    def request(i: int) -> None:
        event = requested(space_id, i, start)
        barrier.wait()
        place(uow, event, errors)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome(uow, errors)


def test_with_the_constraint_exactly_one_of_fifty_overlapping_requests_is_held(fresh: Fresh) -> None:
    assert place_fifty_at_once(*fresh(guarded=True)) == {"held": 1, "conflicted": 49}


def test_without_the_constraint_the_same_rush_double_books(fresh: Fresh) -> None:
    """The negative control: the test above can fail, and only the database guard makes it pass."""
    assert place_fifty_at_once(*fresh(guarded=False)).get("held", 0) > 1


def second_request_while_the_first_approves(uow: VenuesUnitOfWork, space_id: str) -> dict[str, int]:
    """On a space whose rules approve, the first request writes its entry, and before it marks the
    entry approved a second, overlapping request is made to wait on it (seen in pg_locks)."""
    start = datetime.now(UTC) + timedelta(days=3)
    errors: list[str] = []
    written, approve = threading.Event(), VenuesUnitOfWork.set_status

    def set_status_once_the_second_waits(self: VenuesUnitOfWork, *args: Any, **kwargs: Any) -> None:
        written.set()
        with uow.runtime.engine.connect() as watch:
            for _ in range(100):  # at most 10 s
                if watch.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                    break
                time.sleep(0.1)
            else:
                raise AssertionError("the second request never waited")
        approve(self, *args, **kwargs)

    first = threading.Thread(target=place, args=(uow, requested(space_id, 0, start), errors))
    with mock.patch.object(VenuesUnitOfWork, "set_status", set_status_once_the_second_waits):
        first.start()
        assert written.wait(10)
    place(uow, requested(space_id, 1, start), errors)
    first.join()
    return outcome(uow, errors)


def test_with_the_schedule_lock_a_request_waits_for_the_approval_before_it(fresh: Fresh) -> None:
    outcome = second_request_while_the_first_approves(*fresh(guarded=True, needs_approval=False))
    assert outcome == {"approved": 1, "conflicted": 1}


def test_without_the_schedule_lock_the_same_two_requests_deadlock(fresh: Fresh) -> None:
    """The negative control of the lock: the approval checks the constraint again, against the
    second request's uncommitted row, while that row waits on the first: PostgreSQL ends one."""
    made = fresh(guarded=True, needs_approval=False)
    with mock.patch.object(VenuesUnitOfWork, "lock_schedule", lambda self, space_id: None):
        result = second_request_while_the_first_approves(*made)
    assert result.get("DeadlockDetected") == 1, result
