"""The venues service's read model of who manages which venue, and a person's erasure, applied as
the worker applies identity's events, in a database of its own: an assignment holds once however
often it is said, for a venue not registered yet too, and the slot events name it; erasure leaves
no id, words or address of the person and keeps what stood on the schedule, and when."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from eventbus.auth import Principal
from eventbus.envelope import Envelope, new_event
from eventbus.migrations import upgrade
from eventbus.runtime import Runtime
from eventbus.settings import Settings
from venues import handlers
from venues.bootstrap import bootstrap
from venues.consumers import consumers
from venues.unit_of_work import VenuesUnitOfWork
from xudong.processes import ROOT
from xudong.stack import Stack

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


@pytest.fixture(scope="module")
def runtime(stack: Stack) -> Iterator[Runtime]:
    name = f"venues_people_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    url = stack.database_url(name)
    upgrade(ROOT / "services" / "venues", url)
    made = bootstrap(Settings("venues", url, stack.kafka_bootstrap))
    yield made
    made.engine.dispose()
    stack.psql(f"DROP DATABASE {name} WITH (FORCE)")


def apply(runtime: Runtime, event_type: str, data: dict[str, Any]) -> Envelope:
    """One event, as the worker applies it: its handler in a transaction of its own."""
    event = new_event("identity" if event_type.startswith("identity.") else "booking", event_type, "s", data)
    with runtime.engine.begin() as conn:
        consumers(runtime)[event_type](conn, event)
    return event


def manage(runtime: Runtime, change: str, user_id: str, venue_id: str) -> None:
    apply(runtime, f"identity.manager.{change}", {"user_id": user_id, "venue_id": venue_id})


def managers(runtime: Runtime, venue_id: str) -> list[str]:
    with VenuesUnitOfWork(runtime) as uow:
        return uow.managers(venue_id)


def register(runtime: Runtime, **given: Any) -> tuple[str, str]:
    """A venue with one hall: its id and the hall's."""
    area = handlers.create_area(
        VenuesUnitOfWork(runtime), "province", f"Tỉnh {uuid.uuid4()}", "P", None, None
    )
    body = {
        "key": f"hall-{uuid.uuid4().hex[:8]}",
        "name": {"vi": "Nhà", "en": "House"},
        "kind": "theatre",
        "area_id": area.id,
        "address": "1 Đường Thử",
        "coordinates": None,
        "status": "active",
        "funding_model": "public",
        "operator": "UBND",
        "amenities": [],
        "photos": [],
        "sample_values": False,
        "spaces": [
            {
                "key": "hall",
                "name": {"vi": "Hội trường", "en": "Hall"},
                "layout": {"kind": "general_admission", "capacity": 100},
                "rules": RULES,
            }
        ],
    } | given
    venue_id = handlers.register_venue(VenuesUnitOfWork(runtime), body)
    return venue_id, handlers.get_venue(VenuesUnitOfWork(runtime), venue_id)["spaces"][0]["id"]


def request(runtime: Runtime, space_id: str, organiser: str, title: str, days: int) -> str:
    """A booking's request reaches the venue: its venue booking id."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    booking_id = str(uuid.uuid4())
    data = {
        "venue_booking_id": booking_id,
        "organiser_id": organiser,
        "space_id": space_id,
        "plot_id": None,
        "title": title,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }
    apply(runtime, "booking.venue_booking.requested", data)
    return booking_id


def published(runtime: Runtime, event_type: str, subject: str) -> dict[str, Any]:
    with runtime.engine.connect() as conn:
        query = sa.text("SELECT payload FROM outbox WHERE key = :k ORDER BY id")
        found = [Envelope.from_bytes(p) for p in conn.execute(query, {"k": subject}).scalars()]
    [event] = [e for e in found if e.type == event_type]
    return event.data


def test_a_manager_is_assigned_once_however_often_it_is_said_and_named_by_the_slot_events(
    runtime: Runtime,
) -> None:
    venue_id, hall = register(runtime)
    for _ in range(2):
        manage(runtime, "assigned", "mgr-a", venue_id)
    manage(runtime, "assigned", "mgr-b", venue_id)
    manage(runtime, "unassigned", "mgr-never", venue_id)  # was not assigned: nothing changes
    assert managers(runtime, venue_id) == ["mgr-a", "mgr-b"]
    first = request(runtime, hall, "org-1", "Chèo", days=3)
    assert published(runtime, "venues.slot.held", first)["managers"] == ["mgr-a", "mgr-b"]

    manage(runtime, "unassigned", "mgr-b", venue_id)
    manage(runtime, "unassigned", "mgr-b", venue_id)
    assert managers(runtime, venue_id) == ["mgr-a"]
    second = request(runtime, hall, "org-1", "Tuồng", days=4)
    assert published(runtime, "venues.slot.held", second)["managers"] == ["mgr-a"]


def test_a_manager_of_a_venue_not_registered_yet_is_kept_for_it(runtime: Runtime) -> None:
    """Identity may name a venue this service does not have yet: its word is kept all the same."""
    venue_id = str(uuid.uuid4())
    manage(runtime, "assigned", "mgr-early", venue_id)
    assert managers(runtime, venue_id) == ["mgr-early"]


def rows(runtime: Runtime, query: str, **params: Any) -> list[Any]:
    with runtime.engine.connect() as conn:
        return list(conn.execute(sa.text(query), params))


def test_an_erased_person_leaves_no_id_words_or_address_and_the_schedule_keeps_its_times(
    runtime: Runtime,
) -> None:
    tag = uuid.uuid4().hex[:6]
    user, email, phone = f"user-{tag}", f"Le.Xoa+{tag}@Example.vn", f"+8490{uuid.uuid4().int % 10**7:07d}"
    other_email = f"ban.{email.lower()}"  # someone else's, ending as theirs does
    venue_id, hall = register(runtime, operator=f"UBND, gửi {email.upper()}", address=f"1 Phố, {other_email}")
    manage(runtime, "assigned", user, venue_id)
    theirs = request(runtime, hall, user, f"Hát văn – {tag}", days=5)
    others = request(runtime, hall, "org-2", f"Ca trù, gọi {phone}", days=6)
    manager = Principal(user, "venue_manager", (venue_id,))
    for booking_id in (theirs, others):
        [entry] = rows(runtime, "SELECT id FROM schedule_entries WHERE venue_booking_id = :b", b=booking_id)
        handlers.decide_request(VenuesUnitOfWork(runtime), manager, str(entry.id), "approved", None)
    schedule = "SELECT id, status, starts_at, ends_at, blocked_until FROM schedule_entries ORDER BY id"
    before = rows(runtime, schedule)
    dead = 'INSERT INTO dead_letters (consumer, topic, partition, "offset", error, payload) VALUES '
    with runtime.engine.begin() as conn:
        for offset, payload in enumerate(
            (
                f'{{"data": {{"user_id": "{user}", "x": 1}}}}'.encode(),
                f'{{"data": {{"email": "{email.lower()}"}}}}'.encode(),
                f'{{"data": {{"user_id": "{user}-2"}}}}'.encode(),  # another's id, beginning as theirs
                b"\xff\xfe not an event",  # unreadable as UTF-8: it fails nothing
            )
        ):
            conn.execute(
                sa.text(dead + "('venues', 'identity.events', 0, :o, 'failed', :p)"),
                {"o": offset, "p": payload},
            )

    erased = {"user_id": user, "emails": [email], "phones": [phone]}
    for _ in range(2):  # a second time finds nothing more to do
        apply(runtime, "identity.user.erased", erased)

    assert managers(runtime, venue_id) == []
    entries = {
        str(r.venue_booking_id): (r.organiser_id, r.title, r.decided_by)
        for r in rows(
            runtime, "SELECT venue_booking_id, organiser_id, title, decided_by FROM schedule_entries"
        )
    }
    assert entries[theirs] == ("erased", "erased", "erased")
    assert entries[others] == ("org-2", "Ca trù, gọi erased", "erased")
    assert rows(runtime, schedule) == before  # what stood on the schedule, and when
    [venue] = rows(runtime, "SELECT operator, address FROM venues WHERE id = :v", v=venue_id)
    assert (venue.operator, venue.address) == ("UBND, gửi erased", f"1 Phố, {other_email}")
    letters = rows(runtime, 'SELECT "offset", payload, error FROM dead_letters ORDER BY "offset"')
    assert [(r.payload is None, r.error.startswith("erased")) for r in letters] == [
        (True, True),
        (True, True),
        (False, False),
        (False, False),
    ]
