"""Two seats chosen on the seat map with the keyboard alone, paid, shown on the order page; a
seat someone else took meanwhile is refused with a message that says what to do, not an error
page, and the buyer chooses again."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.e2e.ticket_fixtures import on_sale, order, seated, seats_of
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def tab_to(page: Page, is_it: str, presses: int = 60) -> None:
    """Tab, as a keyboard user does, until the focused element is the one `is_it` (a script
    given the element) tells."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {is_it})(document.activeElement)"):
            return
    pytest.fail(f"Tab never reached {is_it}")


def choose_two_seats_by_keyboard(page: Page) -> list[str]:
    tab_to(page, "e.getAttribute('role') === 'checkbox'")  # the map: one tab stop, its first free seat
    first = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # the next free seat of the row
    second = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Space")
    assert page.locator("#seat-map [aria-checked=true]").count() == 2
    tab_to(page, "e.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return [first.split(",")[0], second.split(",")[0]]


def checkout_by_keyboard(page: Page, email: str) -> None:
    tab_to(page, "e.id === 'email'")
    page.keyboard.type(email)
    tab_to(page, "e.id === 'consent'")
    page.keyboard.press("Space")
    tab_to(page, "e.type === 'submit' && e.closest('form').action.endsWith('/checkout')")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_two_seats_chosen_by_keyboard_are_paid_and_a_seat_taken_meanwhile_is_refused_with_a_message(
    platform: Stack, browser: Browser
) -> None:
    event = on_sale(platform, [seated(price=200_000)], space="room")
    seats = {s["label"]: s["id"] for s in seats_of(platform, event["id"])}
    watched = Watched(context(browser))
    page = watched.page
    page.goto(f"{platform.web_url}/events/{event['id']}")
    tab_to(page, "e.tagName === 'A' && e.href.endsWith('/seats')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn chỗ ngồi")
    assert serious_violations(page) == []
    screenshot(page, "seat-map-vi-desktop")
    wanted = choose_two_seats_by_keyboard(page)

    taken = order(platform, event["id"], seats=[seats[wanted[1]]])  # another buyer, meanwhile
    assert taken.status_code == 201, taken.text
    checkout_by_keyboard(page, f"seats-{uuid.uuid4().hex[:6]}@example.vn")
    expect(page.get_by_role("alert")).to_contain_text("vừa có người khác lấy")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Chọn ghế khác", exact=True).click()

    expect(page.locator(f"[aria-label^='{wanted[1]},']")).to_have_count(0)  # no longer free
    again = choose_two_seats_by_keyboard(page)
    assert again[0] == wanted[0] and again[1] != wanted[1]
    checkout_by_keyboard(page, f"seats-{uuid.uuid4().hex[:6]}@example.vn")
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile("Thanh toán 400.000")).click()
    expect(page.get_by_role("img", name=re.compile("Mã QR của vé"))).to_have_count(2, timeout=60_000)
    for label in again:
        expect(page.locator(".ticket h3", has_text=label)).to_have_count(1)
    assert watched.refusals == []
