"""A venue manager's venues and each space's schedule as a calendar (the week, the month; a list on
a phone), with an organiser's request on it; closing the space for a time: refused with the
request named when the time holds it, or when a field is missing, and done, on the calendar and
at the venues service, when the time is free. In Vietnamese at 1280 px, in English at 360 px."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from conftest import token
from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.browser.people import manager_signs_in_with_totp, venue_manager
from tests.e2e.ticket_fixtures import DAYS_AHEAD
from tests.e2e.venue_fixtures import booking_status, request_body
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def close(page: Page, start: str, end: str, reason: str) -> None:
    page.get_by_label("Đóng cửa từ", exact=True).fill(start)
    page.get_by_label("Đến", exact=True).fill(end)
    page.get_by_label(re.compile("^Lý do")).fill(reason)
    page.get_by_role("button", name="Đóng cửa địa điểm").click()


def checked(page: Page, name: str) -> None:
    assert serious_violations(page) == [], name
    screenshot(page, name)


def test_a_manager_reads_a_spaces_calendar_and_closes_it_for_a_free_time_only(
    platform: Stack, browser: Browser
) -> None:
    web, tag = platform.web_url, uuid.uuid4().hex[:6]
    email, place = venue_manager(platform, f"cal-{tag}", name=f"Nhà hát {tag}")
    day = (datetime.now(UTC) + timedelta(days=next(DAYS_AHEAD))).astimezone(LOCAL).date()

    def at(hour: int) -> str:
        return datetime.combine(day, time(hour), LOCAL).isoformat()

    organiser = token("organiser", f"org-cal-{tag}")
    asked = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        json=request_body(place["hall"]["id"], at(10), at(12), title=f"Chèo {tag}"),
        headers=organiser,
        timeout=20,
    )
    assert asked.status_code in (201, 202), asked.text
    booking_status(platform, asked.json()["id"], organiser, "held")

    watched = Watched(context(browser))
    m = watched.page
    manager_signs_in_with_totp(m, web, email)
    m.get_by_role("link", name="Địa điểm của tôi").click()
    expect(m.get_by_role("heading", level=2)).to_have_text(re.compile(f"^Nhà hát {tag}"))
    checked(m, "my-venues-vi-desktop")
    m.get_by_role("link", name=re.compile("^Lịch của")).first.click()
    expect(m.get_by_role("heading", level=1)).to_have_text(re.compile("^Lịch của"))
    m.goto(f"{m.url}?day={day}")
    request = m.locator(".fc-timegrid-event", has_text=f"Chèo {tag}")
    expect(request).to_contain_text(f"Chờ duyệt: Chèo {tag}")
    expect(request).to_contain_text("10:00")  # in Hải Phòng's time
    checked(m, "calendar-week-vi-desktop")

    close(m, at(11)[:16], at(13)[:16], "Bảo trì sân khấu")
    expect(m.get_by_role("alert")).to_contain_text(f"Chèo {tag}")  # the request that holds the time
    checked(m, "calendar-conflict-vi-desktop")
    close(m, at(14)[:16], at(17)[:16], "")
    expect(m.locator("#reason-error")).to_contain_text("Hãy cho biết lý do")
    expect(m.locator(".fc-timegrid-event", has_text="Đóng cửa")).to_have_count(0)  # nothing closed

    close(m, at(14)[:16], at(17)[:16], f"Lễ kỷ niệm {tag}")
    expect(m.locator(".notice")).to_contain_text("không ai đặt được")
    closed = m.locator(".fc-timegrid-event", has_text=f"Lễ kỷ niệm {tag}")
    expect(closed).to_contain_text(f"Đóng cửa: Lễ kỷ niệm {tag}")
    expect(closed).to_contain_text("14:00")
    window = {"from": at(0), "to": at(23)}
    schedule = requests.get(
        f"http://127.0.0.1:{platform.ports.venues}/v1/spaces/{place['hall']['id']}/schedule",
        params=window,
        timeout=10,
    ).json()["items"]
    assert [(e["status"], e["reason"]) for e in schedule if e["status"] == "blackout"] == [
        ("blackout", f"Lễ kỷ niệm {tag}")
    ]
    m.get_by_role("button", name="Tháng").click()
    expect(m.locator(".fc-daygrid-event", has_text=f"Lễ kỷ niệm {tag}")).to_be_visible()
    checked(m, "calendar-month-vi-desktop")

    m.set_viewport_size({"width": 360, "height": 740})
    m.get_by_role("button", name="English").click()  # the switch, and it stays
    m.goto(f"{m.url.split('?')[0]}?day={day}")
    expect(m.locator(".fc-list-event", has_text=f"Chèo {tag}")).to_contain_text(
        f"Waiting for review: Chèo {tag}"
    )
    expect(m.locator(".fc-list-event", has_text=f"Lễ kỷ niệm {tag}")).to_contain_text("Closed")
    checked(m, "calendar-list-en-phone")
    assert m.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    m.get_by_role("link", name="My venues").first.click()
    checked(m, "my-venues-en-phone")
    assert watched.refusals == []
