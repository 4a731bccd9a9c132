"""The whole saga in the browser: an organiser signs up and follows the verification link from
MailDev, finds a free slot and requests it; the venue's manager (second factor by TOTP) approves
it in the review queue; the organiser pays the fee, creates and publishes an event; a buyer buys;
the manager checks the ticket in at the door with the camera (Chromium's fake camera fed with the
ticket's own QR code) and the second scan says when it was used."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.browser.camera import camera_arguments, qr_video
from tests.browser.harness import Watched, chromium, context, screenshot, serious_violations
from tests.browser.people import manager_signs_in_with_totp, pay_by_card, sign_in, venue_manager
from tests.e2e.identity_flows import PASSWORD, link_in
from tests.e2e.ticket_fixtures import DAYS_AHEAD, signed_qr
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def organiser_signs_up(platform: Stack, page: Page, email: str) -> None:
    page.goto(f"{platform.web_url}/sign-up")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_label("Tên của bạn").fill("Nguyễn Thị Chèo")
    page.get_by_label(re.compile("^Tổ chức")).fill("Đoàn Chèo Thanh Hà")
    page.get_by_label(re.compile("Tôi đã đọc")).check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hãy kiểm tra email của bạn")
    page.goto(link_in(platform, email, "/verify-email"))  # the link in the email from MailDev
    page.get_by_role("button", name="Xác nhận email của tôi").click()
    expect(page.get_by_role("status")).to_contain_text("đã được xác nhận")


def test_the_whole_saga_in_the_browser(
    platform: Stack, playwright: Playwright, browser: Browser, tmp_path: Path
) -> None:
    web, tag = platform.web_url, uuid.uuid4().hex[:6]
    manager_email, place = venue_manager(platform, f"saga-{tag}", name=f"Nhà hát {tag}")
    day = (datetime.now(UTC) + timedelta(days=next(DAYS_AHEAD))).astimezone(LOCAL).date()
    video = tmp_path / "ticket.y4m"
    qr_video("not yet a ticket", video)

    organiser = Watched(context(browser))
    organiser_email = f"saga-org-{tag}@example.vn"
    organiser_signs_up(platform, organiser.page, organiser_email)
    sign_in(organiser.page, web, organiser_email)
    o = organiser.page
    o.goto(f"{web}/organiser/find")
    o.get_by_label("Ngày").fill(day.isoformat())
    o.get_by_label("Từ (giờ)").fill("14:00")
    o.get_by_label("Đến (giờ)").fill("18:00")
    o.get_by_label("Khu vực").select_option(place["area_id"])
    o.get_by_role("button", name="Tìm chỗ trống").click()
    card = o.locator(".event-card", has_text="Hội trường")
    card.get_by_label("Tên sự kiện của bạn").fill(f"Chèo Thanh Hà {tag}")
    card.get_by_label("Số người dự kiến").fill("120")
    card.get_by_role("button", name="Đặt địa điểm này").click()
    expect(o.locator(".booking", has_text=tag).locator(".status")).to_have_text(
        re.compile("Đang giữ chỗ|Đã gửi yêu cầu")
    )

    with chromium(playwright, *camera_arguments(video)) as camera_browser:
        door: BrowserContext = context(camera_browser, permissions=["camera"])
        manager = Watched(door)
        m = manager.page
        manager_signs_in_with_totp(m, web, manager_email)
        m.get_by_role("link", name="Yêu cầu cần duyệt").click()
        assert serious_violations(m) == []
        m.get_by_role("button", name=f"Duyệt “Chèo Thanh Hà {tag}”").click()

        o.goto(f"{web}/organiser/bookings")
        expect(o.locator(".booking", has_text=tag).locator(".status")).to_have_text(
            "Đã duyệt: chờ thanh toán phí", timeout=30_000
        )
        o.locator(".booking", has_text=tag).get_by_role("link", name="Thanh toán phí địa điểm").click()
        pay_by_card(o, "")
        expect(o.get_by_role("status").first).to_have_text("Đã xác nhận", timeout=60_000)
        o.get_by_role("link", name="Quay lại lịch đặt chỗ của tôi").click()
        o.locator(".booking", has_text=tag).get_by_role("link", name="Tạo sự kiện").click()
        o.get_by_label("Tên bằng tiếng Việt").fill(f"Đêm Chèo Thanh Hà {tag}")
        o.get_by_label("Tên bằng tiếng Anh").fill(f"Chèo night {tag}")
        o.get_by_label("Bắt đầu").fill(f"{day.isoformat()}T15:00")
        o.get_by_label("Kết thúc").fill(f"{day.isoformat()}T17:00")
        o.get_by_label("Tên vé bằng tiếng Việt").fill("Vé thường")
        o.get_by_label("Tên vé bằng tiếng Anh").fill("General admission")
        o.get_by_label("Giá (đồng)").fill("100000")
        o.get_by_label("Số vé mở bán").fill("50")
        o.get_by_role("button", name="Lưu sự kiện").click()
        o.get_by_role("button", name="Công bố: mở bán vé").click()
        expect(o.get_by_role("heading", level=1)).to_have_text(f"Đêm Chèo Thanh Hà {tag}")
        event_id = o.url.rstrip("/").rsplit("/", 1)[1]

        buyer = Watched(context(browser))
        b = buyer.page
        b.goto(o.url)
        b.get_by_role("spinbutton", name=re.compile("Vé thường")).fill("1")
        b.get_by_role("button", name="Tiếp tục đặt vé").click()
        b.get_by_role("textbox", name="Email").fill(f"saga-buyer-{tag}@example.vn")
        b.get_by_label(re.compile("Tôi đồng ý")).check()
        b.get_by_role("button", name="Giữ vé và thanh toán").click()
        pay_by_card(b, "100.000")
        expect(b.locator(".ticket .code")).to_have_count(1, timeout=60_000)
        code = b.locator(".ticket .code").inner_text()
        qr_video(signed_qr(code), video)  # the phone at the door films this ticket

        m.goto(f"{web}/manager/door/{event_id}?gate=Cổng Đông")
        expect(m.locator("#door")).to_have_attribute("data-camera", "on")  # else it says why not
        answer = m.locator("#answer")
        expect(answer).to_have_text("Mời vào", timeout=60_000)
        screenshot(m, "door-admitted-vi-desktop")
        expect(answer).to_have_text(
            re.compile(r"^Vé đã dùng lúc \d\d:\d\d tại cổng Cổng Đông$"), timeout=30_000
        )
        screenshot(m, "door-used-vi-desktop")
        assert serious_violations(m) == []
        assert organiser.refusals == [] and buyer.refusals == [] and manager.refusals == []
