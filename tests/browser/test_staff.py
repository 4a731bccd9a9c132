"""The Department's staff (second factor by TOTP) read the areas as a tree and the venues with
their spaces, find an account by email, make it a venue manager and give it a venue to run, and
see the refunds that need attention; each page passes axe."""

import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.browser.people import signs_in_with_totp
from tests.e2e.identity_flows import granted, signed_up, user_id
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_staff_read_areas_and_venues_and_make_an_account_a_manager_of_a_venue(
    platform: Stack, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    staff_email = signed_up(platform, f"staff-{tag}")
    granted(platform, staff_email, "staff")
    place = venue(platform, name=f"Nhà văn hóa {tag}")
    future = signed_up(platform, f"future-manager-{tag}")
    watched = Watched(context(browser))
    page = watched.page
    signs_in_with_totp(page, platform.web_url, staff_email)

    page.get_by_role("link", name="Cán bộ quản lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Địa bàn")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Địa điểm và không gian").click()
    page.get_by_label("Tên địa điểm").fill(tag)
    page.get_by_role("button", name="Tìm địa điểm").click()
    expect(page.locator("section", has_text=f"Nhà văn hóa {tag}")).to_contain_text("Hội trường")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Tài khoản và vai trò").click()
    page.get_by_label("Tìm tài khoản theo email").fill(future)
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.get_by_label("Vai trò mới").select_option("venue_manager")
    page.get_by_role("button", name="Đổi vai trò").click()
    expect(page.locator(".status")).to_have_text("Quản lý địa điểm")
    page.get_by_label("Tìm địa điểm để giao").fill(tag)
    page.get_by_role("button", name="Tìm địa điểm").click()
    page.get_by_label("Địa điểm giao quản lý").select_option(place["id"])
    page.get_by_role("button", name="Giao địa điểm").click()
    expect(page.locator("section")).to_contain_text(f"Nhà văn hóa {tag}")
    assert serious_violations(page) == []
    screenshot(page, "staff-accounts-vi-desktop")
    assert user_id(platform, future)  # the account is still there, now a manager of the venue

    page.get_by_role("link", name="Khoản hoàn tiền cần xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Khoản hoàn tiền cần xử lý")
    assert serious_violations(page) == []
    assert watched.refusals == []
