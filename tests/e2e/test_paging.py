"""Lists that grow with the data come a page at a time ({"items", "next_cursor"}, the shared
PageQuery's `cursor` and `limit`), and words searched for are matched as written: a `%` or `_` in
them is that character, not a wildcard."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from conftest import token
from tests.e2e.ticket_fixtures import api, on_sale, seated
from tests.e2e.venue_fixtures import STAFF, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"


def pages(get: Callable[[dict[str, Any]], requests.Response], limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a list, following next_cursor; at most 50 pages."""
    found, cursor = [], None
    for _ in range(50):
        answer = get({"limit": limit} | ({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        found.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return found
    pytest.fail("more than 50 pages")


def test_venue_bookings_come_a_page_at_a_time_for_the_organiser_and_for_staff(platform: Stack) -> None:
    place = venue(platform)
    organiser = token("organiser", f"org-{uuid.uuid4().hex[:6]}")
    made = []
    for day in (70, 71, 72):
        body = request_body(place["hall"]["id"], *slot(days=day))
        answer = requests.post(api(platform, "/venue-bookings"), json=body, headers=organiser, timeout=10)
        assert answer.status_code == 202, answer.text
        made.append(answer.json()["id"])

    def own(page: dict[str, Any]) -> requests.Response:
        return requests.get(api(platform, "/venue-bookings"), params=page, headers=organiser, timeout=10)

    found = pages(own, 2)
    assert [len(p) for p in found] == [2, 1]
    assert [b["id"] for p in found for b in p] == made[::-1]  # newest first, each once
    everyone = requests.get(api(platform, "/venue-bookings"), params={"limit": 2}, headers=STAFF, timeout=10)
    assert len(everyone.json()["items"]) == 2 and everyone.json()["next_cursor"] is not None
    too_long = requests.get(
        api(platform, "/venue-bookings"), params={"limit": 1000}, headers=STAFF, timeout=10
    )
    assert too_long.status_code == 422 and too_long.headers["Content-Type"] == PROBLEM
    assert "limit" in too_long.json()["errors"]


def test_free_spaces_across_every_venue_come_a_page_at_a_time(platform: Stack) -> None:
    venue(platform)  # at least two free spaces, whatever else the platform holds
    start, end = slot(days=300)
    url = f"http://127.0.0.1:{platform.ports.venues}/v1/availability"

    def free(page: dict[str, Any]) -> requests.Response:
        return requests.get(url, params={"from": start, "to": end} | page, timeout=10)

    first = free({"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"] is not None
    found = pages(free, 200)
    ids = [s["space_id"] for p in found for s in p]
    assert len(ids) == len(set(ids)) and first["items"][0]["space_id"] == ids[0]


def test_the_seats_of_a_large_hall_come_a_page_at_a_time_in_the_halls_order(platform: Stack) -> None:
    rows = [{"label": chr(65 + r), "seats": 50, "category": "standard"} for r in range(6)]
    place = venue(
        platform, sections=[{"name": "Tầng trệt", "rows": rows}], needs_approval=False, free_public_use=True
    )
    event = on_sale(platform, [seated()], space="room", place=place)

    def seats(page: dict[str, Any]) -> requests.Response:
        return requests.get(api(platform, f"/events/{event['id']}/seats"), params=page, timeout=10)

    found = pages(seats, 200)
    assert [len(p) for p in found] == [200, 100]
    labels = [s["label"] for p in found for s in p]
    assert len(set(labels)) == 300 and labels[0].endswith("A1") and labels[-1].endswith("F50")
    assert {s["state"] for p in found for s in p} == {"available"}


def test_a_percent_or_underscore_in_the_words_of_a_venue_search_is_only_itself(platform: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    province = requests.post(
        f"http://127.0.0.1:{platform.ports.venues}/v1/areas",
        json={"level": "province", "name": {"vi": f"Tỉnh {tag}", "en": f"Province {tag}"}},
        headers=STAFF,
        timeout=10,
    ).json()
    percent = venue(platform, level="district", within=province["id"], name="Nhà 100%")
    venue(platform, level="district", within=province["id"], name="Nhà 1000")

    def named(words: str) -> list[str]:
        url = f"http://127.0.0.1:{platform.ports.venues}/v1/venues"
        answer = requests.get(url, params={"area": province["id"], "q": words}, timeout=10)
        assert answer.status_code == 200, answer.text
        return [v["id"] for v in answer.json()["items"]]

    assert named("100%") == [percent["id"]]
    assert named("0%") == [percent["id"]]
    assert named("Nh_") == []
    assert len(named("Nhà 10")) == 2
