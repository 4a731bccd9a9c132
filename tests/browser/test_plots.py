"""A night-market vendor picks a free plot on the plot map and books it; a plot another vendor
holds that night is shown taken and cannot be picked; the news of the request is in the vendor's
inbox too, and can be marked read."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, expect

from conftest import token
from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.browser.people import sign_in
from tests.e2e.identity_flows import signed_up
from tests.e2e.venue_fixtures import booking_status, night_market, request_body, slot
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_vendor_picks_a_free_plot_on_the_plot_map_and_books_it(platform: Stack, browser: Browser) -> None:
    tag = uuid.uuid4().hex[:6]
    market = night_market(platform, ("A01", "A02", "A03"), tag)
    space_id = market["spaces"][0]["id"]
    night = slot(days=24, hour=11, hours=5)  # 18:00 to 23:00 in Hải Dương
    other = token("organiser", f"vendor-{tag}")
    taken = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        headers=other,
        json=request_body(space_id, *night, plot="A02"),
        timeout=10,
    )
    assert taken.status_code == 202, taken.text
    booking_status(platform, taken.json()["id"], other, "awaiting_payment")
    starts, ends = (datetime.fromisoformat(t).astimezone(LOCAL) for t in night)

    vendor = Watched(context(browser))
    page = vendor.page
    sign_in(page, platform.web_url, signed_up(platform, f"vendor-{tag}"))
    page.goto(
        f"{platform.web_url}/organiser/find?day={starts.date().isoformat()}&start={starts:%H:%M}&end={ends:%H:%M}"
        f"&area={market['area_id']}"
    )
    page.get_by_role("link", name="Chọn lô trên sơ đồ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn lô")
    expect(page.get_by_role("link", name=re.compile("^Lô A02"))).to_have_count(0)  # taken that night
    assert serious_violations(page) == []
    screenshot(page, "plot-map-vi-desktop")
    page.get_by_role("link", name=re.compile("^Lô A01")).click()
    page.get_by_label("Tên sự kiện của bạn").fill(f"Gian gốm Chu Đậu {tag}")
    page.get_by_label("Số người dự kiến").fill("30")
    page.get_by_role("button", name="Đặt lô A01").click()
    mine = page.locator(".booking", has_text=tag)
    expect(mine).to_contain_text("Lô A01")
    expect(mine.locator(".status")).to_have_text("Đã duyệt: chờ thanh toán phí", timeout=30_000)
    expect(mine).to_contain_text("150.000")

    page.get_by_role("link", name="Thông báo").click()  # the same news in the inbox
    received = page.locator(".inbox li", has_text=f"Đã nhận yêu cầu đặt chỗ: Gian gốm Chu Đậu {tag}")
    expect(received).to_have_count(1, timeout=30_000)
    assert serious_violations(page) == []
    received.get_by_role("button", name=re.compile("^Đánh dấu")).click()
    expect(page.locator(".inbox li.unread", has_text=tag).filter(has_text="Đã nhận yêu cầu")).to_have_count(0)
    assert vendor.refusals == []
