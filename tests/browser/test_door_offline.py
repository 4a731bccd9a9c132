"""The door offline: the manager's browser goes offline, two tickets are scanned at gate A and
one of them again at a second page, gate B; back online, the check-ins reach booking, the
repeated ticket is admitted once and the gate that came second shows it as used at the other."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.browser.people import manager_signs_in_with_totp, venue_manager
from tests.e2e.ticket_fixtures import api, free, on_sale, order
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def type_code(page: Page, code: str) -> None:
    page.locator("#code").fill(code)
    page.get_by_role("button", name="Kiểm tra mã này").click()


def test_the_door_keeps_admitting_offline_and_a_ticket_scanned_at_two_gates_gets_in_once(
    platform: Stack, browser: Browser
) -> None:
    email, place = venue_manager(
        platform, f"door-{uuid.uuid4().hex[:6]}", needs_approval=False, free_public_use=True
    )
    event = on_sale(platform, [free(10)], place=place)
    held = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 2}])
    first, second = (t["code"] for t in held.json()["tickets"])

    def checked_in() -> dict[str, str | None]:
        """Booking's word: each ticket of the event by its digest, and the gate that let it in."""
        listed = requests.get(
            api(platform, f"/events/{event['id']}/door-list"), headers=place["manager"], timeout=10
        )
        return {item["key"]: item["gate"] for item in listed.json()["items"]}

    door = context(browser)
    manager = Watched(door)
    manager_signs_in_with_totp(manager.page, platform.web_url, email)
    gates = {}
    for gate, page in (("A", manager.page), ("B", Watched(door).page)):
        page.goto(f"{platform.web_url}/manager/door/{event['id']}?gate={gate}")
        expect(page.locator("#door")).to_have_attribute("data-ready", "true")  # the tickets are held
        gates[gate] = page

    door.set_offline(True)
    type_code(gates["A"], first)
    expect(gates["A"].locator("#answer")).to_have_text(re.compile("^Mời vào \\(ngoại tuyến"))
    type_code(gates["A"], first)  # the same gate again: it remembers
    expect(gates["A"].locator("#answer")).to_have_text(
        re.compile("^Vé đã dùng lúc \\d\\d:\\d\\d tại cổng A$")
    )
    type_code(gates["A"], second)
    expect(gates["A"].locator("#answer")).to_have_text(re.compile("^Mời vào \\(ngoại tuyến"))
    type_code(gates["B"], first)  # gate B has not heard of gate A
    expect(gates["B"].locator("#answer")).to_have_text(re.compile("^Mời vào \\(ngoại tuyến"))
    type_code(gates["B"], "not-a-ticket-of-ours")
    expect(gates["B"].locator("#answer")).to_have_text("Không phải vé của sự kiện này")
    assert set(checked_in().values()) == {None}  # nothing reached booking meanwhile
    expect(gates["A"].locator("#inside")).to_have_text("Đã vào: 2 / 2 vé")  # each gate counts its own
    expect(gates["B"].locator("#inside")).to_have_text("Đã vào: 1 / 2 vé")

    door.set_offline(False)
    for page in gates.values():
        page.evaluate("window.dispatchEvent(new Event('online'))")

    expect(gates["A"].locator("#network")).to_have_text("", timeout=30_000)
    expect(gates["B"].locator("#network")).to_have_text("", timeout=30_000)
    reached = checked_in()
    assert sorted(g for g in reached.values() if g) in (["A", "A"], ["A", "B"])  # both tickets in, once each
    winner = "A" if list(reached.values()).count("A") == 2 else "B"
    loser = "B" if winner == "A" else "A"
    told = gates[loser].locator("#late li")
    expect(told).to_have_count(1)
    expect(told).to_have_text(
        re.compile(f"^{re.escape(first)}: Vé đã dùng lúc \\d\\d:\\d\\d tại cổng {winner}$")
    )
    expect(gates[winner].locator("#late li")).to_have_count(0)
    for page in gates.values():  # the count of who is in, as booking has it, at both gates
        expect(page.locator("#inside")).to_have_text("Đã vào: 2 / 2 vé", timeout=30_000)
    screenshot(gates[loser], "door-offline-told-vi-desktop")
    assert serious_violations(gates[loser]) == []
    assert manager.refusals == []
