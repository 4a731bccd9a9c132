"""`xudong seed`, which `make up` runs, loads the sample map and venues through the public API, and
run again adds nothing, however many venues come before the sample's in the list."""

import argparse
import json
import uuid

import pytest
import requests

from tests.e2e.venue_fixtures import STAFF, new_area, rules, venue_body
from xudong.cli import SEED, seed
from xudong.stack import Stack

pytestmark = pytest.mark.stack
AHEAD = 51  # more than the list's first page (50 by default)


def test_the_seed_loads_the_sample_venues_once_even_behind_a_page_of_others(
    platform: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    base = f"http://127.0.0.1:{platform.ports.venues}/v1"
    tag = uuid.uuid4().hex[:8]
    area = new_area(platform, tag)
    hall = {
        "key": "hall",
        "name": {"vi": "Hội trường", "en": "Hall"},
        "layout": {"kind": "general_admission", "capacity": 50},
        "rules": rules(),
    }
    for n in range(AHEAD):  # named to come first: "A" sorts before every sample venue's name
        name = {"vi": f"A trước {tag} {n:02d}", "en": f"Ahead {tag} {n:02d}"}
        body = venue_body(f"ahead-{tag}-{n}", name, area["id"], [hall])
        made = requests.post(f"{base}/venues", json=body, headers=STAFF, timeout=10)
        assert made.status_code == 201, made.text
    first_page = {v["key"] for v in requests.get(f"{base}/venues", timeout=10).json()["items"]}
    sample = {v["key"] for v in json.loads((SEED / "venues.json").read_text())["venues"]}
    assert not sample & first_page  # the control: none of the sample is on the first page

    assert seed(platform, argparse.Namespace()) == 0
    assert seed(platform, argparse.Namespace()) == 0
    assert "seed: 0 areas and 0 venues added" in capsys.readouterr().out.splitlines()[-2]
