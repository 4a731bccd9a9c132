"""The venue-booking saga through Kafka: booking asks, venues holds or refuses, managers decide."""

import json
import threading
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import events_mentioning, eventually, token
from tests.e2e.venue_fixtures import booking_status, night_market, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def bookings_url(stack: Stack, path: str = "") -> str:
    return f"http://127.0.0.1:{stack.ports.booking}/v1/venue-bookings{path}"


def ask(stack: Stack, who: dict[str, str], body: dict[str, Any], key: str | None = None) -> requests.Response:
    headers = who | ({"Idempotency-Key": key} if key else {})
    return requests.post(bookings_url(stack), json=body, headers=headers, timeout=20)


def entry_of(stack: Stack, booking_id: str) -> dict[str, Any]:
    engine = sa.create_engine(stack.database_url("venues"))
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT id, status FROM schedule_entries WHERE venue_booking_id = :b"), {"b": booking_id}
        ).one()
    engine.dispose()
    return {"id": str(row.id), "status": row.status}


def test_a_request_is_held_approved_by_the_manager_and_then_awaits_payment(platform: Stack) -> None:
    place = venue(platform)
    organiser = token("organiser", f"org-{uuid.uuid4().hex[:6]}")
    start, end = slot(hours=3)
    accepted = ask(platform, organiser, request_body(place["hall"]["id"], start, end), key="k-" + start)
    assert accepted.status_code == 202
    booking = accepted.json()
    assert booking["occurrences"][0]["fee"] == {"amount": 1_500_000, "deposit": 450_000, "currency": "VND"}

    booking_status(platform, booking["id"], organiser, "held")
    queue = requests.get(
        f"http://127.0.0.1:{platform.ports.venues}/v1/review-queue", headers=place["manager"], timeout=10
    ).json()["items"]
    waiting = [e for e in queue if e["venue_booking_id"] == booking["id"]]
    assert len(waiting) == 1
    approved = requests.post(
        f"http://127.0.0.1:{platform.ports.venues}/v1/schedule-entries/{waiting[0]['id']}/approve",
        json={},
        headers=place["manager"],
        timeout=10,
    )
    assert approved.status_code == 200, approved.text
    shown = booking_status(platform, booking["id"], organiser, "awaiting_payment")
    assert shown["payment_due_at"] is not None and shown["start"].endswith("+07:00")


def test_free_public_use_is_confirmed_on_approval_without_payment(platform: Stack) -> None:
    place = venue(platform, free_public_use=True, needs_approval=False)
    organiser = token("organiser", "org-free")
    start, end = slot(days=12)
    booking = ask(platform, organiser, request_body(place["hall"]["id"], start, end)).json()
    shown = booking_status(platform, booking["id"], organiser, "confirmed")
    assert shown["fee"]["amount"] == 0


def test_a_rejected_request_carries_the_managers_reason(platform: Stack) -> None:
    place = venue(platform)
    organiser = token("organiser", "org-reject")
    start, end = slot(days=14)
    booking = ask(platform, organiser, request_body(place["hall"]["id"], start, end)).json()
    booking_status(platform, booking["id"], organiser, "held")
    entry = entry_of(platform, booking["id"])
    rejected = requests.post(
        f"http://127.0.0.1:{platform.ports.venues}/v1/schedule-entries/{entry['id']}/reject",
        json={"reason": "Lễ kỷ niệm của tỉnh"},
        headers=place["manager"],
        timeout=10,
    )
    assert rejected.status_code == 200
    assert booking_status(platform, booking["id"], organiser, "rejected")["reason"] == "Lễ kỷ niệm của tỉnh"


def test_an_overlapping_request_is_conflicted_and_a_cancellation_frees_the_slot(platform: Stack) -> None:
    place = venue(platform)
    first_org, second_org = token("organiser", "org-first"), token("organiser", "org-second")
    start, end = slot(days=16)
    first = ask(platform, first_org, request_body(place["hall"]["id"], start, end)).json()
    booking_status(platform, first["id"], first_org, "held")
    second = ask(platform, second_org, request_body(place["hall"]["id"], start, end)).json()
    assert booking_status(platform, second["id"], second_org, "conflicted")["reason"]

    cancelled = requests.post(
        bookings_url(platform, f"/{first['id']}/cancel"), json={}, headers=first_org, timeout=10
    )
    assert cancelled.json()["status"] == "cancelled"
    eventually(lambda: entry_of(platform, first["id"])["status"] == "released")
    third = ask(platform, second_org, request_body(place["hall"]["id"], start, end)).json()
    booking_status(platform, third["id"], second_org, "held")


def test_a_weekly_series_places_each_occurrence_on_its_own(platform: Stack) -> None:
    place = venue(platform)
    organiser = token("organiser", "org-series")
    start, end = slot(days=20)
    taken = ask(
        platform, token("organiser", "org-other"), request_body(place["hall"]["id"], *slot(days=27))
    ).json()
    booking_status(platform, taken["id"], token("organiser", "org-other"), "held")
    series = ask(
        platform,
        organiser,
        request_body(place["hall"]["id"], start, end, recurrence={"frequency": "weekly", "count": 3}),
    ).json()
    ids = [o["id"] for o in series["occurrences"]]
    assert len(ids) == 3 and series["series_id"]
    outcomes = [booking_status(platform, i, organiser, "held", "conflicted")["status"] for i in ids]
    assert outcomes == ["held", "conflicted", "held"]


def test_fifty_concurrent_requests_for_one_time_hold_exactly_one(platform: Stack) -> None:
    place = venue(platform)
    start, end = slot(days=30)
    organisers = [token("organiser", f"org-rush-{i}") for i in range(50)]
    answers: dict[int, requests.Response] = {}
    barrier = threading.Barrier(50)

    def one(i: int) -> None:
        barrier.wait()
        answers[i] = ask(platform, organisers[i], request_body(place["hall"]["id"], start, end))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers.values()) == [202] * 50
    statuses = [
        booking_status(platform, answers[i].json()["id"], organisers[i], "held", "conflicted")["status"]
        for i in range(50)
    ]
    assert (statuses.count("held"), statuses.count("conflicted")) == (1, 49)
    engine = sa.create_engine(platform.database_url("venues"))
    with engine.connect() as conn:
        overlaps = conn.execute(
            sa.text(
                "SELECT count(*) FROM schedule_entries a JOIN schedule_entries b ON a.id < b.id"
                " AND a.space_id = b.space_id AND a.plot_id IS NOT DISTINCT FROM b.plot_id"
                " AND tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)"
                " WHERE a.status IN ('held', 'approved', 'confirmed', 'blackout')"
                " AND b.status IN ('held', 'approved', 'confirmed', 'blackout')"
            )
        ).scalar_one()
    engine.dispose()
    assert overlaps == 0


BAD = {
    "end before start": lambda s, r: request_body(s, slot()[1], slot()[0]),
    "in the past": lambda s, r: request_body(s, *slot(days=-3)),
    "over max duration": lambda s, r: request_body(s, *slot(hours=11)),
    "unknown space": lambda s, r: request_body(str(uuid.uuid4()), *slot()),
    "a plot on a seated space": lambda s, r: request_body(r, *slot(), plot="A01"),
    "unknown field": lambda s, r: request_body(s, *slot(), budget=5),
    "wrong types": lambda s, r: request_body(s, *slot()) | {"expected_attendance": "many"},
    "far in the future": lambda s, r: request_body(
        s, "9999-12-31T20:00:00+00:00", "9999-12-31T22:00:00+00:00"
    ),
    "NUL in a title": lambda s, r: request_body(s, *slot(), title="Đêm\x00Chèo"),
}


@pytest.mark.parametrize("case", [*list(BAD), "malformed JSON", "outside opening hours"])
def test_bad_requests_get_a_problem_and_write_nothing(platform: Stack, case: str) -> None:
    place = (
        venue(platform, opening_hours={"mon": [["08:00", "17:00"]]})
        if case == "outside opening hours"
        else None
    )
    place = place or venue(platform)
    sub = f"org-bad-{uuid.uuid4().hex[:6]}"
    organiser = token("organiser", sub)
    if case == "malformed JSON":
        answer = requests.post(
            bookings_url(platform),
            data=b'{"space_id": ',
            timeout=10,
            headers=organiser | {"Content-Type": "application/json"},
        )
        assert answer.status_code == 400
    else:
        body = (
            request_body(place["hall"]["id"], *slot(days=9, hour=20))
            if case == "outside opening hours"
            else BAD[case](place["hall"]["id"], place["room"]["id"])
        )
        answer = ask(platform, organiser, json.loads(json.dumps(body)))
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"]
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert requests.get(bookings_url(platform), headers=organiser, timeout=10).json()["items"] == []
    assert events_mentioning(platform, "booking", "booking.events", sub) == 0


def test_nobody_reads_or_changes_another_organisers_booking(platform: Stack) -> None:
    place, other_place = venue(platform), venue(platform)
    owner, stranger = token("organiser", "org-owner"), token("organiser", "org-stranger")
    booking = ask(platform, owner, request_body(place["hall"]["id"], *slot(days=40))).json()
    booking_status(platform, booking["id"], owner, "held")
    assert (
        requests.get(bookings_url(platform, f"/{booking['id']}"), headers=stranger, timeout=10).status_code
        == 404
    )
    cancel = requests.post(
        bookings_url(platform, f"/{booking['id']}/cancel"), json={}, headers=stranger, timeout=10
    )
    assert cancel.status_code == 404
    pay = requests.post(
        bookings_url(platform, f"/{booking['id']}/payment"), json={}, headers=stranger, timeout=10
    )
    assert pay.status_code == 404
    assert booking["id"] not in {
        b["id"] for b in requests.get(bookings_url(platform), headers=stranger, timeout=10).json()["items"]
    }
    entry = entry_of(platform, booking["id"])
    venues = f"http://127.0.0.1:{platform.ports.venues}/v1"
    approve = f"{venues}/schedule-entries/{entry['id']}/approve"
    assert requests.post(approve, json={}, headers=other_place["manager"], timeout=10).status_code == 404
    assert requests.post(approve, json={}, headers=owner, timeout=10).status_code == 403
    reject = f"{venues}/schedule-entries/{entry['id']}/reject"
    assert (
        requests.post(reject, json={"reason": "x"}, headers=other_place["manager"], timeout=10).status_code
        == 404
    )
    queue = requests.get(f"{venues}/review-queue", headers=other_place["manager"], timeout=10).json()["items"]
    assert booking["id"] not in {e["venue_booking_id"] for e in queue}
    assert entry_of(platform, booking["id"])["status"] == "held"


def test_a_repeated_request_with_the_same_idempotency_key_books_once(platform: Stack) -> None:
    place = venue(platform)
    sub = f"org-retry-{uuid.uuid4().hex[:6]}"
    organiser = token("organiser", sub)
    body = request_body(place["hall"]["id"], *slot(days=44))
    first, again = (
        ask(platform, organiser, body, key="retry-1"),
        ask(platform, organiser, body, key="retry-1"),
    )
    assert first.json() == again.json()
    assert len(requests.get(bookings_url(platform), headers=organiser, timeout=10).json()["items"]) == 1
    # the control: the check sees an organiser's event
    assert events_mentioning(platform, "booking", "booking.events", sub) >= 1
    other = ask(platform, organiser, body | {"title": "khác"}, key="retry-1")
    assert other.status_code == 409


def test_vendors_book_plots_of_one_night_market_each_on_their_own(platform: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    base = f"http://127.0.0.1:{platform.ports.venues}/v1"
    made = night_market(platform, ("A01", "A02"), tag)
    space_id = made["spaces"][0]["id"]
    night = slot(days=21, hour=11, hours=5)  # 18:00 to 23:00 in Hải Dương
    vendors = [token("organiser", f"vendor-{tag}-{i}") for i in range(3)]

    def ask_plot(who: dict[str, str], plot: str) -> str:
        def accepted() -> requests.Response | None:
            """booking has heard of the market and takes the request"""
            answer = ask(platform, who, request_body(space_id, *night, plot=plot))
            return answer if answer.status_code == 202 else None

        return str(eventually(accepted).json()["id"])

    approved = ("awaiting_payment", "expired")  # the test platform lets payment wait only 25 s
    first = ask_plot(vendors[0], "A01")
    assert (
        booking_status(platform, first, vendors[0], *approved)["fee"]["amount"] == 150_000
    )  # the plot's price
    # Asked once the first holds its plot: requests of several bookings travel on several partitions,
    # so two asked in the same instant may reach the venue in either order.
    second, third = ask_plot(vendors[1], "A02"), ask_plot(vendors[2], "A01")
    assert booking_status(platform, second, vendors[1], *approved)["fee"]["amount"] == 150_000
    assert booking_status(platform, third, vendors[2], "conflicted")["status"] == "conflicted"

    # A blackout of the whole market blocks every plot that night.
    ceremony = slot(days=22, hour=10, hours=7)
    manager = token("venue_manager", "m", made["id"])
    blocked = requests.post(
        f"{base}/spaces/{space_id}/blackouts",
        headers=manager,
        timeout=10,
        json={"start": ceremony[0], "end": ceremony[1], "reason": "Lễ hội"},
    )
    assert blocked.status_code == 201, blocked.text
    night = slot(days=22, hour=11, hours=5)
    refused = ask_plot(vendors[0], "A02")
    assert booking_status(platform, refused, vendors[0], "conflicted")["status"] == "conflicted"
