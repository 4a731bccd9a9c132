"""An organiser requests a space once a week for several weeks in a row from the page that finds
free spaces: each week is a request of its own on their bookings page; a count out of range is
refused with what to enter and asks nothing."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from eventbus.fields import LOCAL
from tests.browser.harness import Watched, context, serious_violations
from tests.browser.people import sign_in
from tests.e2e.identity_flows import signed_up
from tests.e2e.ticket_fixtures import DAYS_AHEAD
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def ask_weekly(page: Page, web: str, place: dict[str, str], day: str, title: str, weeks: str) -> None:
    page.goto(f"{web}/organiser/find")
    page.get_by_label("Ngày").fill(day)
    page.get_by_label("Từ (giờ)").fill("14:00")
    page.get_by_label("Đến (giờ)").fill("17:00")
    page.get_by_label("Khu vực").select_option(place["area_id"])
    page.get_by_role("button", name="Tìm chỗ trống").click()
    card = page.locator(".event-card", has_text="Hội trường")
    card.get_by_label("Tên sự kiện của bạn").fill(title)
    card.get_by_label("Số người dự kiến").fill("80")
    card.get_by_label(re.compile("^Số tuần liên tiếp")).fill(weeks)
    card.get_by_role("button", name="Đặt địa điểm này").click()


def test_an_organiser_requests_a_space_for_three_weeks_in_a_row(platform: Stack, browser: Browser) -> None:
    tag = uuid.uuid4().hex[:6]
    email = signed_up(platform, f"weekly-{tag}")
    place = venue(platform, name=f"Nhà văn hóa {tag}")
    day = (datetime.now(UTC) + timedelta(days=next(DAYS_AHEAD))).astimezone(LOCAL).date()
    watched = Watched(context(browser))
    page = watched.page
    sign_in(page, platform.web_url, email)

    ask_weekly(page, platform.web_url, place, day.isoformat(), f"Lớp hát {tag}", "60")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không thể thực hiện việc này")
    expect(page.locator("main")).to_contain_text("từ 2 đến 52")
    page.goto(f"{platform.web_url}/organiser/bookings")
    expect(page.locator(".booking", has_text=tag)).to_have_count(0)  # nothing was asked

    ask_weekly(page, platform.web_url, place, day.isoformat(), f"Lớp hát {tag}", "3")
    asked = page.locator(".booking", has_text=tag)
    expect(asked).to_have_count(3)
    for week in range(3):
        shown = (day + timedelta(weeks=week)).strftime("%d/%m/%Y")
        expect(page.locator(".booking", has_text=shown).filter(has_text=tag)).to_have_count(1)
    assert serious_violations(page) == []
    assert watched.refusals == []
