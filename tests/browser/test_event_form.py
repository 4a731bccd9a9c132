"""An organiser's event on a seated room in the browser: two ticket types, one per seat category,
the second added to the form, one with a sale window that closes before the event; refused next
to its fields when a name or a category is missing, a seat is free or a sale closes before it
opens; saved as asked at the booking service, then published; changed once on sale, refused
without a reason, then changed, the public page showing the new title."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from conftest import token
from tests.browser.harness import Watched, context, serious_violations
from tests.browser.people import sign_in
from tests.e2e.identity_flows import signed_up, user_id
from tests.e2e.ticket_fixtures import api, confirmed_booking
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
TWO_CATEGORIES = [
    {
        "name": "A",
        "rows": [
            {"label": "A", "seats": 4, "category": "vip"},
            {"label": "B", "seats": 6, "category": "standard"},
        ],
    }
]


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def ticket_type(page: Page, number: int, names: tuple[str, str], price: str, category: str) -> None:
    group = page.get_by_role("group", name=f"Loại vé {number}")
    group.get_by_label("Tên vé bằng tiếng Việt").fill(names[0])
    group.get_by_label("Tên vé bằng tiếng Anh").fill(names[1])
    group.get_by_label("Giá (đồng)").fill(price)
    group.get_by_label("Ghế", exact=True).select_option(category)


def test_an_organiser_sells_two_seat_categories_with_a_sale_window_and_changes_the_event_with_a_reason(
    platform: Stack, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = signed_up(platform, f"event-form-{tag}")
    organiser = token("organiser", user_id(platform, email))
    room = venue(platform, sections=TWO_CATEGORIES, needs_approval=False, free_public_use=True)
    booking_id, _, booked = confirmed_booking(platform, room, "room", organiser)
    hai_phong = booked.astimezone(LOCAL) + timedelta(hours=1)  # the event starts an hour in
    closes = hai_phong - timedelta(days=1)

    watched = Watched(context(browser))
    page = watched.page
    sign_in(page, platform.web_url, email)
    page.goto(f"{platform.web_url}/organiser/bookings/{booking_id}/event")
    page.get_by_label("Tên bằng tiếng Việt").fill(f"Đêm Chèo {tag}")
    page.get_by_label("Tên bằng tiếng Anh").fill(f"A night of Chèo {tag}")
    page.get_by_label("Bắt đầu").fill(local(hai_phong))
    page.get_by_label("Kết thúc").fill(local(hai_phong + timedelta(hours=2)))
    ticket_type(page, 1, ("Ghế VIP", "VIP seat"), "0", "vip")  # a seat is not free: refused below
    page.get_by_role("button", name="Thêm loại vé").click()  # a second type; what was typed stays
    expect(page.get_by_role("group", name="Loại vé 2")).to_be_visible()
    expect(page.get_by_label("Tên bằng tiếng Việt")).to_have_value(f"Đêm Chèo {tag}")
    expect(page.locator("#error-summary-title")).to_have_count(0)  # adding a type is not sending
    second = page.get_by_role("group", name="Loại vé 2")
    second.get_by_label("Tên vé bằng tiếng Việt").fill("Ghế thường")
    second.get_by_label("Giá (đồng)").fill("150000")
    second.get_by_label("Mở bán từ").fill(local(closes + timedelta(hours=1)))  # after it closes
    second.get_by_label("Ngừng bán lúc").fill(local(closes))
    page.get_by_role("button", name="Lưu sự kiện").click()
    expect(page.locator("#price-0-error")).to_have_text(
        "Ghế phải có giá: đăng ký miễn phí chỉ dành cho không gian không có sơ đồ ghế."
    )
    expect(second.locator("#type_en-1-error")).to_have_text("Nhập tên vé bằng tiếng Anh.")
    expect(second.locator("#seat_category-1-error")).to_have_text("Chọn loại ghế của vé này.")
    expect(second.locator("#sale_end-1-error")).to_have_text("Thời điểm ngừng bán phải sau thời điểm mở bán.")
    assert serious_violations(page) == []
    page.get_by_role("group", name="Loại vé 1").get_by_label("Giá (đồng)").fill("300000")
    second.get_by_label("Mở bán từ").fill("")

    ticket_type(page, 2, ("Ghế thường", "Standard seat"), "150000", "standard")
    page.get_by_role("button", name="Lưu sự kiện").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Đêm Chèo {tag}")
    expect(page.locator("table.ticket-types tbody tr")).to_have_count(2)
    event_id = page.url.rstrip("/").split("/")[-1]
    saved = requests.get(api(platform, f"/events/{event_id}"), headers=organiser, timeout=10).json()
    by_category = {t["seat_category"]: t for t in saved["ticket_types"]}
    assert {c: (t["kind"], t["price"]) for c, t in by_category.items()} == {
        "vip": ("seated", 300_000),
        "standard": ("seated", 150_000),
    }
    assert datetime.fromisoformat(by_category["standard"]["sale_ends_at"]) == closes
    assert datetime.fromisoformat(by_category["vip"]["sale_ends_at"]) == hai_phong  # the event's start

    page.get_by_role("button", name="Công bố: mở bán vé").click()
    expect(page.locator("table.ticket-types tbody tr")).to_have_count(2)  # the public page
    page.goto(f"{platform.web_url}/organiser/events/{event_id}")
    page.get_by_label("Tên bằng tiếng Việt").fill(f"Đêm Chèo mới {tag}")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#reason-error")).to_have_text(
        "Hãy cho biết vì sao sự kiện thay đổi: người mua vé sẽ được báo."
    )
    unchanged = requests.get(api(platform, f"/events/{event_id}"), timeout=10).json()
    assert unchanged["title"]["vi"] == f"Đêm Chèo {tag}"
    page.get_by_label(re.compile("^Lý do thay đổi")).fill("Đổi tên vở diễn")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator(".status")).to_contain_text("Đã lưu thay đổi.")
    page.get_by_role("link", name="Trang công khai của sự kiện").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Đêm Chèo mới {tag}")
    assert (
        requests.get(api(platform, f"/events/{event_id}"), timeout=10).json()["title"]["vi"]
        == f"Đêm Chèo mới {tag}"
    )
    assert serious_violations(page) == [] and watched.refusals == []
