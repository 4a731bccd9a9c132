"""User text travels into email subjects, SMS, calendars and logs: a title or a name holding a
character that breaks a line there is refused at the API of every service, with the field named,
and creates nothing. A NUL in a path segment is refused the same way, not answered with a 500."""

import uuid

import pytest
import requests
import sqlalchemy as sa

from conftest import token
from tests.e2e.ticket_fixtures import api, confirmed_booking, event_body, ga
from tests.e2e.venue_fixtures import STAFF, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"
# a vertical tab, a carriage return and Unicode's line separator: each ends a line for
# str.splitlines() and makes Python's email package refuse the header they reach
BREAKERS = {"vertical tab": "\x0b", "carriage return": "\r", "line separator": "\u2028"}


def refused(answer: requests.Response) -> dict[str, object]:
    assert (answer.status_code, answer.headers["Content-Type"]) == (422, PROBLEM), answer.text
    errors: dict[str, object] = answer.json()["errors"]
    return errors


def count(stack: Stack, database: str, query: str, **values: str) -> int:
    engine = sa.create_engine(stack.database_url(database))
    with engine.connect() as conn:
        found = int(conn.execute(sa.text(query), values).scalar_one())
    engine.dispose()
    return found


def test_a_venue_booking_title_that_breaks_a_line_is_refused_and_books_nothing(platform: Stack) -> None:
    place = venue(platform)
    organiser = token("organiser", f"org-text-{uuid.uuid4().hex[:6]}")
    for name, breaker in BREAKERS.items():
        body = request_body(place["hall"]["id"], *slot(days=40)) | {"title": f"Đêm{breaker}Chèo"}
        answer = requests.post(api(platform, "/venue-bookings"), headers=organiser, json=body, timeout=10)
        assert list(refused(answer)) == ["title"], name
    mine = requests.get(api(platform, "/venue-bookings"), headers=organiser, timeout=10).json()["items"]
    assert mine == []
    several_lines = request_body(place["hall"]["id"], *slot(days=40)) | {"purpose": "Hát\r\nmúa\n"}
    taken = requests.post(api(platform, "/venue-bookings"), headers=organiser, json=several_lines, timeout=10)
    assert taken.status_code == 202, taken.text  # a purpose may run over several lines


def test_an_event_title_that_breaks_a_line_is_refused_and_creates_no_event(platform: Stack) -> None:
    place = venue(platform, needs_approval=False, free_public_use=True)
    booking_id, organiser, booked = confirmed_booking(platform, place)
    for name, breaker in BREAKERS.items():
        title = {"vi": f"Đêm{breaker}Chèo", "en": "A night of Chèo"}
        body = event_body(booking_id, booked, [ga(10)], title=title)
        answer = requests.post(api(platform, "/events"), headers=organiser, json=body, timeout=10)
        assert refused(answer) == {"title": {"vi": ["may not contain control characters or line breaks"]}}, (
            name
        )
    query = "SELECT count(*) FROM events WHERE venue_booking_id = :b"
    assert count(platform, "booking", query, b=booking_id) == 0


def test_an_area_name_that_breaks_a_line_is_refused_and_creates_no_area(platform: Stack) -> None:
    tag = uuid.uuid4().hex[:8]
    for name, breaker in BREAKERS.items():
        body = {"level": "province", "name": {"vi": f"Tỉnh{breaker}{tag}", "en": f"Province {tag}"}}
        answer = requests.post(
            f"http://127.0.0.1:{platform.ports.venues}/v1/areas", headers=STAFF, json=body, timeout=10
        )
        assert list(refused(answer)) == ["name"], name
    assert (
        count(platform, "venues", "SELECT count(*) FROM areas WHERE name_en = :n", n=f"Province {tag}") == 0
    )


@pytest.mark.parametrize("path", ["/tickets/%00abc", "/tickets/ab%00c/qr.svg"])
def test_a_nul_in_a_path_segment_is_a_problem_naming_it(platform: Stack, path: str) -> None:
    assert refused(requests.get(api(platform, path), timeout=10)) == {
        "code": ["Text may not contain NUL characters."]
    }
