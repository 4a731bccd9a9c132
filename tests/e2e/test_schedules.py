"""What managers and organisers read of the schedules: JSON, iCalendar, free spaces, blackouts,
and the payment deadline that frees a slot."""

import uuid

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, token
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def venues_url(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.venues}/v1{path}"


def held_booking(stack: Stack, place: dict, days: int) -> tuple[dict, dict[str, str], tuple[str, str]]:
    organiser = token("organiser", f"org-{uuid.uuid4().hex[:6]}")
    when = slot(days=days)
    answer = requests.post(
        f"http://127.0.0.1:{stack.ports.booking}/v1/venue-bookings",
        json=request_body(place["hall"]["id"], *when),
        headers=organiser,
        timeout=10,
    ).json()
    booking_status(stack, answer["id"], organiser, "held")
    return answer, organiser, when


def test_the_schedule_shows_requests_and_blackouts_as_json_and_icalendar(platform: Stack) -> None:
    place = venue(platform)
    booking, _, _ = held_booking(platform, place, days=50)
    blackout = requests.post(
        venues_url(platform, f"/spaces/{place['hall']['id']}/blackouts"),
        json={"start": slot(days=51)[0], "end": slot(days=51, hours=8)[1], "reason": "Bảo trì, sửa mái"},
        headers=place["manager"],
        timeout=10,
    )
    assert blackout.status_code == 201, blackout.text
    window = {"from": slot(days=49)[0], "to": slot(days=53)[0]}
    schedule = venues_url(platform, f"/spaces/{place['hall']['id']}/schedule")
    shown = requests.get(schedule, params=window, headers=place["manager"], timeout=10).json()["items"]
    assert [(e["status"], e["venue_booking_id"]) for e in shown] == [
        ("held", booking["id"]),
        ("blackout", None),
    ]
    assert shown[0]["start"].endswith("+07:00")
    public = requests.get(schedule, params=window, timeout=10).json()["items"]
    assert [(e["status"], e["venue_booking_id"], e["title"]) for e in public] == [
        ("booked", None, "—"),
        ("blackout", None, "Bảo trì, sửa mái"),
    ]  # who booked what is for the venue's managers

    ics = requests.get(f"{schedule}.ics", params=window, headers=place["manager"], timeout=10)
    assert ics.headers["Content-Type"].startswith("text/calendar")
    lines = ics.text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 2 and "SUMMARY:Bảo trì\\, sửa mái" in lines
    assert all(len(line.encode()) <= 75 for line in lines)


def test_a_blackout_over_a_held_request_is_refused_with_what_it_hits(platform: Stack) -> None:
    place = venue(platform)
    _, _, (start, end) = held_booking(platform, place, days=55)
    refused = requests.post(
        venues_url(platform, f"/spaces/{place['hall']['id']}/blackouts"),
        json={"start": start, "end": end, "reason": "Lễ"},
        headers=place["manager"],
        timeout=10,
    )
    assert refused.status_code == 409
    assert len(refused.json()["conflicts"]) == 1
    other_manager = venue(platform)["manager"]
    stranger = requests.post(
        venues_url(platform, f"/spaces/{place['hall']['id']}/blackouts"),
        json={"start": slot(days=70)[0], "end": slot(days=70)[1], "reason": "x"},
        headers=other_manager,
        timeout=10,
    )
    assert stranger.status_code == 404


def test_availability_finds_the_free_spaces_of_an_area(platform: Stack) -> None:
    place = venue(platform)
    _, _, (start, end) = held_booking(platform, place, days=60)
    free = requests.get(
        venues_url(platform, "/availability"),
        params={"from": start, "to": end, "area": place["area_id"], "min_capacity": 5},
        timeout=10,
    ).json()["items"]
    assert [s["space_id"] for s in free] == [place["room"]["id"]]  # the hall is taken
    later = requests.get(
        venues_url(platform, "/availability"),
        params={
            "from": slot(days=61)[0],
            "to": slot(days=61)[1],
            "area": place["area_id"],
            "min_capacity": 50,
        },
        timeout=10,
    ).json()["items"]
    assert [s["space_id"] for s in later] == [place["hall"]["id"]]  # the room holds only 10


def test_an_unpaid_booking_expires_at_its_deadline_and_its_slot_is_released(platform: Stack) -> None:
    place = venue(platform)
    booking, organiser, _ = held_booking(platform, place, days=65)
    engine = sa.create_engine(platform.database_url("venues"))
    with engine.connect() as conn:
        entry = conn.execute(
            sa.text("SELECT id FROM schedule_entries WHERE venue_booking_id = :b"), {"b": booking["id"]}
        ).scalar_one()
    requests.post(
        venues_url(platform, f"/schedule-entries/{entry}/approve"),
        json={},
        headers=place["manager"],
        timeout=10,
    ).raise_for_status()
    booking_status(platform, booking["id"], organiser, "awaiting_payment")
    assert (
        booking_status(platform, booking["id"], organiser, "expired")["reason"] == "not paid by the deadline"
    )

    def released() -> bool:
        with engine.connect() as conn:
            status = conn.execute(sa.text("SELECT status FROM schedule_entries WHERE id = :e"), {"e": entry})
            return bool(status.scalar_one() == "released")

    eventually(released, timeout=30)
    engine.dispose()


def test_the_venues_of_an_area_come_a_page_at_a_time(platform: Stack) -> None:
    """Venues are listed a page at a time, each page naming where the next begins, none twice."""
    province = venue(platform)
    districts = [venue(platform, level="district", within=province["area_id"]) for _ in range(2)]
    pages, cursor = [], None
    while True:
        params = {"area": province["area_id"], "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = requests.get(venues_url(platform, "/venues"), params=params, timeout=10).json()
        pages.append([v["id"] for v in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert [len(p) for p in pages] == [2, 1]
    assert sorted(v for page in pages for v in page) == sorted(v["id"] for v in [province, *districts])
