"""The public finds events without logging in: by time, area (with the areas inside it), venue
kind, category and words, with or without Vietnamese diacritics."""

import uuid
from datetime import datetime, timedelta

import pytest
import requests

from tests.e2e.ticket_fixtures import api, free, on_sale
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def found(stack: Stack, **query: str) -> list[str]:
    answer = requests.get(api(stack, "/events"), params=query, timeout=10)
    assert answer.status_code == 200, answer.text
    return [e["id"] for e in answer.json()["items"]]


def test_search_ignores_diacritics_and_filters_by_place_kind_and_time(platform: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    place = venue(platform, needs_approval=False, free_public_use=True)
    title = {"vi": f"Đêm Chèo Đông Dao {tag}", "en": f"Cheo night {tag}"}
    cheo = on_sale(platform, [free(10)], place=place, title=title)
    film = on_sale(
        platform, [free(10)], place=place, title={"vi": f"Phim {tag}", "en": f"Film {tag}"}, category="film"
    )
    draft_title = {"vi": f"Nháp {tag}", "en": f"Draft {tag}"}
    assert found(platform, q=f"cheo dong dao {tag}") == [cheo["id"]]
    assert found(platform, q=f"CHÈO ĐÔNG {tag}") == [cheo["id"]]
    assert found(platform, q=tag, category="film") == [film["id"]]
    assert set(found(platform, q=tag, area=place["area_id"])) == {cheo["id"], film["id"]}
    assert found(platform, q=tag, venue_kind="cinema") == []
    first = cheo["shown"]["sessions"][0]
    after_cheo = (datetime.fromisoformat(first["end"]) + timedelta(days=1)).isoformat()
    assert found(platform, q=tag, **{"from": after_cheo}) == [film["id"]]
    assert found(platform, q=tag, to=first["start"]) == []
    assert found(platform, q=draft_title["vi"]) == []


def test_an_area_finds_the_events_of_the_areas_within_it(platform: Stack) -> None:
    province = venue(platform, needs_approval=False, free_public_use=True)
    ward = venue(
        platform, level="district", within=province["area_id"], needs_approval=False, free_public_use=True
    )
    elsewhere = venue(platform, needs_approval=False, free_public_use=True)
    in_province, in_ward = (on_sale(platform, [free(10)], place=p)["id"] for p in (province, ward))
    assert {in_province, in_ward} <= set(found(platform, area=province["area_id"], limit="200"))
    assert found(platform, area=ward["area_id"]) == [in_ward]
    assert found(platform, area=elsewhere["area_id"]) == []


def test_bad_queries_are_problems(platform: Stack) -> None:
    for query in ({"category": "karaoke"}, {"from": "yesterday"}, {"area": "not-a-uuid"}, {"limit": "0"}):
        answer = requests.get(api(platform, "/events"), params=query, timeout=10)
        assert answer.status_code == 422 and answer.headers["Content-Type"] == "application/problem+json", (
            query
        )
