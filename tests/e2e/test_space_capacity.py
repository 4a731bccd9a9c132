"""What a space holds bounds what is sold in it: a seat is sold once per session of the space (two
events on one booking may not run at once), and quotas and seats together never exceed the space."""

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.ticket_fixtures import api, confirmed_booking, event_body, ga, seated
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"


def create(stack: Stack, organiser: dict[str, str], body: dict[str, Any]) -> requests.Response:
    return requests.post(api(stack, "/events"), headers=organiser, json=body, timeout=10)


def at(body: dict[str, Any], hours: float) -> dict[str, Any]:
    """The same event, its one session of two hours moved `hours` later."""
    begins = datetime.fromisoformat(body["sessions"][0]["start"]) + timedelta(hours=hours)
    later = [{"start": begins.isoformat(), "end": (begins + timedelta(hours=2)).isoformat()}]
    return body | {"sessions": later}


def starts(sessions: list[dict[str, str]]) -> list[datetime]:
    return [datetime.fromisoformat(s["start"]) for s in sessions]


def test_two_events_on_one_booking_may_not_run_at_once(platform: Stack) -> None:
    place = venue(platform, needs_approval=False, free_public_use=True)
    booking_id, organiser, booked = confirmed_booking(platform, place, "room")
    first = event_body(booking_id, booked, [seated()])  # 11:00 to 13:00, every seat of the room
    assert create(platform, organiser, first).status_code == 201
    overlapping = create(platform, organiser, at(first, 1))  # 12:00 to 14:00: the same seats, at once
    assert overlapping.status_code == 422, overlapping.text
    assert overlapping.headers["Content-Type"] == PROBLEM and "sessions" in overlapping.json()["errors"]
    after = create(platform, organiser, at(first, 2))  # 13:00 to 15:00: the seats are free again
    assert after.status_code == 201, after.text
    moved = requests.patch(
        api(platform, f"/events/{after.json()['id']}"),
        headers=organiser,
        json={"sessions": at(first, 1)["sessions"], "reason": "đổi giờ"},
        timeout=10,
    )
    assert moved.status_code == 422 and "sessions" in moved.json()["errors"], moved.text
    shown = requests.get(api(platform, f"/events/{after.json()['id']}"), headers=organiser, timeout=10).json()
    assert starts(shown["sessions"]) == starts(at(first, 2)["sessions"])  # as it was


def test_quotas_and_seats_never_exceed_what_the_space_holds(platform: Stack) -> None:
    place = venue(platform, needs_approval=False, free_public_use=True)  # the room: ten seats
    booking_id, organiser, booked = confirmed_booking(platform, place, "room")
    for types in ([seated(), ga(5)], [ga(11)], [ga(6), ga(5)]):
        refused = create(platform, organiser, event_body(booking_id, booked, types))
        assert refused.status_code == 422, refused.text
        assert refused.headers["Content-Type"] == PROBLEM and "ticket_types" in refused.json()["errors"]
    assert create(platform, organiser, event_body(booking_id, booked, [ga(10)])).status_code == 201
