"""What people do in the browser again and again: sign in at the identity provider (a manager's
first time enrolling the second factor by TOTP), pay by card through Stripe.js; and the manager
of a fresh venue they do it as."""

import re
from typing import Any

import pyotp
import requests
from playwright.sync_api import Page, expect

from tests.e2e.identity_flows import PASSWORD, granted, signed_up
from tests.e2e.venue_fixtures import venue
from xudong.stack import Stack


def venue_manager(platform: Stack, tag: str, **venue_options: Any) -> tuple[str, dict[str, Any]]:
    """The email of a venue manager's account and the fresh venue staff assigned them (so that the
    manager's tokens name it)."""
    email = signed_up(platform, f"manager-{tag}")
    return email, another_venue(platform, granted(platform, email, "venue_manager"), **venue_options)


def another_venue(platform: Stack, manager_id: str, **venue_options: Any) -> dict[str, Any]:
    """A fresh venue that staff assign to the manager's account (before the manager signs in)."""
    place = venue(platform, manager=manager_id, **venue_options)
    staff = {"Authorization": f"Bearer {platform.token('staff', 'staff-assigns')}"}
    assigned = requests.put(
        f"{platform.issuer}/v1/users/{manager_id}/venues/{place['id']}", headers=staff, timeout=10
    )
    assert assigned.status_code in (200, 204), assigned.text
    return place


def pay_by_card(page: Page, amount: str) -> None:
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile(f"Thanh toán {amount}")).click()


def sign_in(page: Page, web: str, email: str) -> None:
    page.goto(f"{web}/sign-in")
    with_password(page, email)


def with_password(page: Page, email: str) -> None:
    """The identity provider's sign-in page, filled in and sent."""
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form:has(input[value=password]) button[type=submit]").click()


def signs_in_with_totp(page: Page, web: str, email: str) -> None:
    """A manager's or staff's first sign-in enrols the second factor: the key from the page, the
    code from it, then the recovery codes page."""
    sign_in(page, web, email)
    secret = page.locator("#secret").inner_text()
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("form:has(input[value=enroll]) button[type=submit]").click()
    page.locator("form:has(input[value=continue]) button[type=submit]").click()


def manager_signs_in_with_totp(page: Page, web: str, email: str) -> None:
    signs_in_with_totp(page, web, email)
    expect(page.get_by_role("link", name="Yêu cầu cần duyệt")).to_be_visible()
