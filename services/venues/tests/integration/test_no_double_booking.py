"""The database, not the application, keeps a space from being booked twice: fifty requests for
overlapping times placed at once, with the exclusion constraint and, as a control, without it."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventbus.envelope import new_event
from eventbus.settings import DEV_JWT_SECRET, Settings
from venues import handlers
from venues.bootstrap import bootstrap
from venues.unit_of_work import VenuesUnitOfWork
from xudong.stack import ROOT, Stack

pytestmark = pytest.mark.stack
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


def fresh_venues_database(stack: Stack, guarded: bool) -> tuple[VenuesUnitOfWork, str, sa.Engine]:
    from eventbus.migrations import upgrade

    name = f"venues_{'guarded' if guarded else 'unguarded'}_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "venues", url)
    runtime = bootstrap(Settings("venues", url, stack.kafka_bootstrap, DEV_JWT_SECRET, "INFO"))
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
            "managers": [],
            "amenities": [],
            "photos": [],
            "sample_values": True,
            "spaces": [
                {
                    "key": "hall",
                    "name": {"vi": "Hội trường", "en": "Hall"},
                    "layout": {"kind": "general_admission", "capacity": 100},
                    "rules": RULES,
                }
            ],
        },
    )
    space_id = handlers.get_venue(VenuesUnitOfWork(runtime), venue_id)["spaces"][0]["id"]
    return VenuesUnitOfWork(runtime), space_id, runtime.engine


def place_fifty_at_once(uow: VenuesUnitOfWork, space_id: str) -> dict[str, int]:
    start = datetime.now(UTC) + timedelta(days=3)
    barrier = threading.Barrier(50)

    def request(i: int) -> None:
        event = new_event(
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
        barrier.wait()
        with uow.runtime.engine.begin() as conn, VenuesUnitOfWork(uow.runtime, conn) as joined:
            handlers.place_requested_slot(joined, event)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with uow.runtime.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT status, count(*) FROM schedule_entries GROUP BY status"))
        return {status: count for status, count in rows}


def test_with_the_constraint_exactly_one_of_fifty_overlapping_requests_is_held(stack: Stack) -> None:
    uow, space_id, engine = fresh_venues_database(stack, guarded=True)
    assert place_fifty_at_once(uow, space_id) == {"held": 1, "conflicted": 49}
    engine.dispose()


def test_without_the_constraint_the_same_rush_double_books(stack: Stack) -> None:
    """The negative control: the test above can fail, and only the database guard makes it pass."""
    uow, space_id, engine = fresh_venues_database(stack, guarded=False)
    outcome = place_fifty_at_once(uow, space_id)
    engine.dispose()
    assert outcome.get("held", 0) > 1
