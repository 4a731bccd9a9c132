"""A member of the public finds a Chèo night by typing `cheo`, buys two general-admission
tickets, pays with a test card through localstripe's Stripe.js, and sees two e-tickets with
their QR codes; the confirmation email is in MailDev."""

import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.e2e.test_notifications import mails_to
from tests.e2e.ticket_fixtures import ga, on_sale
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def chèo_night(platform: Stack, tag: str) -> dict[str, object]:
    title = {"vi": f"Đêm Chèo Xứ Đông {tag}", "en": f"A night of Chèo {tag}"}
    return on_sale(platform, [ga(10, price=150_000)], title=title)


def test_a_buyer_finds_cheo_buys_two_tickets_pays_by_card_and_gets_two_e_tickets(
    platform: Stack, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    event = chèo_night(platform, tag)
    starts = datetime.fromisoformat(event["shown"]["sessions"][0]["start"]).astimezone(LOCAL)  # type: ignore[index]
    buyer = f"buyer-{tag}@example.vn"
    watched = Watched(context(browser))
    page = watched.page

    page.goto(f"{platform.web_url}/search")
    page.get_by_label("Từ ngày").fill(starts.date().isoformat())
    page.get_by_label("Đến ngày").fill(starts.date().isoformat())
    page.get_by_label("Từ khóa").fill("cheo")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.get_by_role("link", name=f"Đêm Chèo Xứ Đông {tag}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Đêm Chèo Xứ Đông {tag}")
    expect(page.locator("table.ticket-types")).to_contain_text("150.000 ₫")
    page.get_by_role("spinbutton", name=re.compile("Vé thường")).fill("2")
    page.get_by_role("button", name="Tiếp tục đặt vé").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán")
    page.get_by_role("textbox", name="Email").fill(buyer)
    page.get_by_label(re.compile("Tôi đồng ý")).check()
    page.get_by_role("button", name="Giữ vé và thanh toán").click()

    expect(page.get_by_role("heading", name="Thanh toán bằng thẻ")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile("Thanh toán 300.000")).click()

    tickets = page.get_by_role("img", name=re.compile("Mã QR của vé"))
    expect(tickets).to_have_count(2, timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ticket img')].every(i => i.naturalWidth > 0)"
    )
    expect(page.get_by_role("status").first).to_have_text("Đã thanh toán")
    screenshot(page, "order-paid-vi-desktop")
    codes = page.locator(".ticket .code").all_inner_texts()
    assert len(set(codes)) == 2

    mail = mails_to(platform, buyer, 1)[-1]
    assert all(code in mail["text"] or code in mail.get("html", "") for code in codes), mail["subject"]
    assert watched.refusals == []
