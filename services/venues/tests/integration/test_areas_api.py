"""The areas API over HTTP against the running venues service, its database and Kafka."""

import json
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from kafka import KafkaConsumer

from conftest import events_mentioning, eventually, token
from xudong.stack import Stack

pytestmark = pytest.mark.stack
STAFF = token("staff", "staff-1")


def url(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.venues}{path}"


def count_areas(stack: Stack) -> int:
    engine = sa.create_engine(stack.database_url("venues"))
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM areas")).scalar_one()
    engine.dispose()
    return int(n)


def province(stack: Stack, **headers: str) -> dict[str, Any]:
    name = f"Tỉnh thử {uuid.uuid4().hex[:6]}"
    answer = requests.post(
        url(stack, "/v1/areas"),
        json={"level": "province", "name": {"vi": name, "en": name}},
        headers={**STAFF, **headers},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_an_area_created_by_staff_is_readable_and_its_event_reaches_kafka_with_the_correlation_id(
    platform: Stack,
) -> None:
    created = province(platform, **{"X-Correlation-ID": "corr-areas-1"})
    child = requests.post(
        url(platform, "/v1/areas"),
        json={
            "level": "city",
            "name": {"vi": "Thành phố Thử", "en": "Test City"},
            "parent_id": created["id"],
        },
        headers=STAFF,
        timeout=10,
    ).json()
    assert requests.get(url(platform, f"/v1/areas/{child['id']}"), timeout=10).json() == child
    assert created["id"] in {
        a["id"] for a in requests.get(url(platform, "/v1/areas"), timeout=10).json()["items"]
    }

    consumer = KafkaConsumer(
        "venues.events",
        bootstrap_servers=platform.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=2000,
    )

    def event_of_created() -> dict[str, Any] | None:
        found = [json.loads(m.value) for m in consumer if m.key.decode() == created["id"]]
        return found[0] if found else None

    event = eventually(event_of_created, timeout=30)
    consumer.close()
    # the control of the bad-input test's check: it finds the event a request wrote (twice while
    # the relay, which has sent it, has not yet deleted its row)
    assert events_mentioning(platform, "venues", "venues.events", "corr-areas-1") >= 1
    assert event["type"] == "venues.area.created"
    assert event["correlationid"] == "corr-areas-1"
    assert event["data"]["name"] == created["name"]


BAD_BODIES = {
    "malformed JSON": (b'{"level": "province", "name": ', 400),
    "not an object": (b"[1, 2]", 422),
    "unknown field": (
        json.dumps({"level": "province", "name": {"vi": "A", "en": "A"}, "owner": "me"}).encode(),
        422,
    ),
    "wrong types": (json.dumps({"level": 3, "name": {"vi": ["A"], "en": None}}).encode(), 422),
    "unknown level": (json.dumps({"level": "village", "name": {"vi": "A", "en": "A"}}).encode(), 422),
    "missing parent": (json.dumps({"level": "ward", "name": {"vi": "A", "en": "A"}}).encode(), 422),
    "no such parent": (
        json.dumps(
            {"level": "ward", "name": {"vi": "A", "en": "A"}, "parent_id": str(uuid.uuid4())}
        ).encode(),
        422,
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES, ids=list(BAD_BODIES))
def test_bad_input_gets_a_problem_with_field_errors_and_changes_nothing(platform: Stack, case: str) -> None:
    body, status = BAD_BODIES[case]
    areas, correlation = count_areas(platform), f"corr-bad-{uuid.uuid4().hex}"
    answer = requests.post(
        url(platform, "/v1/areas"),
        data=body,
        headers={**STAFF, "Content-Type": "application/json", "X-Correlation-ID": correlation},
        timeout=10,
    )
    assert answer.status_code == status
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == status
    if status == 422:
        assert problem["errors"], "a 422 names the fields at fault"
    assert count_areas(platform) == areas
    assert events_mentioning(platform, "venues", "venues.events", correlation) == 0


def test_a_second_area_of_the_same_name_in_the_same_place_is_refused(platform: Stack) -> None:
    created = province(platform)
    again = requests.post(
        url(platform, "/v1/areas"),
        json={"level": "province", "name": created["name"]},
        headers=STAFF,
        timeout=10,
    )
    assert again.status_code == 422
    assert "name" in again.json()["errors"]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not.a.token"}, 401),
        (token("organiser", "o1"), 403),
        (token("venue_manager", "m1", "v1"), 403),
    ],
    ids=["anonymous", "garbage-token", "organiser", "venue-manager"],
)
def test_only_staff_may_change_the_map(platform: Stack, headers: dict[str, str], status: int) -> None:
    areas = count_areas(platform)
    answer = requests.post(
        url(platform, "/v1/areas"),
        json={"level": "province", "name": {"vi": "X", "en": "X"}},
        headers=headers,
        timeout=10,
    )
    assert (answer.status_code, answer.headers["Content-Type"]) == (status, "application/problem+json")
    assert count_areas(platform) == areas


def test_an_unknown_area_is_a_404_problem(platform: Stack) -> None:
    answer = requests.get(url(platform, f"/v1/areas/{uuid.uuid4()}"), timeout=10)
    assert (answer.status_code, answer.headers["Content-Type"]) == (404, "application/problem+json")


def test_staff_rename_and_move_an_area_and_the_rules_of_the_map_still_hold(platform: Stack) -> None:
    first, second = province(platform), province(platform)
    district = requests.post(
        url(platform, "/v1/areas"),
        json={
            "level": "district",
            "name": {"vi": "Huyện Thử", "en": "Test District"},
            "parent_id": first["id"],
        },
        headers=STAFF,
        timeout=10,
    ).json()
    moved = requests.patch(
        url(platform, f"/v1/areas/{district['id']}"),
        json={"parent_id": second["id"], "level": "city", "name": {"vi": "Thành phố Thử", "en": "Test City"}},
        headers=STAFF,
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["parent_id"], moved.json()["level"]) == (second["id"], "city")
    assert requests.get(url(platform, f"/v1/areas/{district['id']}"), timeout=10).json() == moved.json()

    to_ward = requests.patch(
        url(platform, f"/v1/areas/{second['id']}"), json={"level": "ward"}, headers=STAFF, timeout=10
    )
    assert to_ward.status_code == 422  # a province that holds a city cannot become a ward
    organiser = requests.patch(
        url(platform, f"/v1/areas/{first['id']}"),
        json={"code": "30"},
        headers=token("organiser", "o1"),
        timeout=10,
    )
    assert organiser.status_code == 403
    unknown = requests.patch(
        url(platform, f"/v1/areas/{uuid.uuid4()}"), json={"code": "30"}, headers=STAFF, timeout=10
    )
    assert unknown.status_code == 404


def test_text_with_a_nul_character_is_a_422_not_a_server_error(platform: Stack) -> None:
    search = requests.get(url(platform, "/v1/venues"), params={"q": "a\x00b"}, timeout=10)
    created = requests.post(
        url(platform, "/v1/areas"),
        json={"level": "province", "name": {"vi": "A\x00", "en": "A"}},
        headers=STAFF,
        timeout=10,
    )
    assert (search.status_code, created.status_code) == (422, 422)


def area(stack: Stack, level: str, parent_id: str) -> dict[str, Any]:
    name = f"Nơi thử {uuid.uuid4().hex[:6]}"
    body = {"level": level, "name": {"vi": name, "en": name}, "parent_id": parent_id}
    answer = requests.post(url(stack, "/v1/areas"), json=body, headers=STAFF, timeout=10)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


@pytest.mark.parametrize("into", ["itself", "its ward"])
def test_an_area_cannot_be_moved_into_itself_or_an_area_within_it(platform: Stack, into: str) -> None:
    top = province(platform)
    district = area(platform, "district", top["id"])
    moved, target = (
        (district, district) if into == "itself" else (top, area(platform, "ward", district["id"]))
    )
    # the level that would fit inside the target, so that only the cycle is wrong
    change = {"parent_id": target["id"], "level": "ward" if into == "itself" else "province"}
    answer = requests.patch(url(platform, f"/v1/areas/{moved['id']}"), json=change, headers=STAFF, timeout=10)
    assert answer.status_code == 422 and answer.headers["Content-Type"] == "application/problem+json"
    assert "parent_id" in answer.json()["errors"], answer.text
    assert requests.get(url(platform, f"/v1/areas/{moved['id']}"), timeout=10).json() == moved


def test_the_venue_search_ends_even_if_the_map_holds_a_cycle(platform: Stack) -> None:
    top = province(platform)
    district = area(platform, "district", top["id"])
    engine = sa.create_engine(platform.database_url("venues"))
    with engine.begin() as conn:  # what no request can do any more: the province inside its district
        conn.execute(
            sa.text("UPDATE areas SET parent_id = :d WHERE id = :p"), {"d": district["id"], "p": top["id"]}
        )
    try:
        window = {"from": "2027-03-01T08:00:00+07:00", "to": "2027-03-01T12:00:00+07:00"}
        for path, params in (("/v1/venues", {}), ("/v1/availability", window)):
            found = requests.get(url(platform, path), params={"area": top["id"]} | params, timeout=20)
            assert found.status_code == 200, found.text
    finally:
        with engine.begin() as conn:  # other tests list every area: leave the map a tree
            conn.execute(sa.text("UPDATE areas SET parent_id = NULL WHERE id = :p"), {"p": top["id"]})
        engine.dispose()
