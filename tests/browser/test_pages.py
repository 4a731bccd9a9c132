"""Every page of the web front so far, in Vietnamese and in English (the switch stays once
chosen), at 360 px and at 1280 px: no serious or critical axe-core violation, `<html lang>` right,
nothing refused by the Content-Security-Policy, a screenshot of each into the test output; and
signing in at the identity provider and out again from the pages."""

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from conftest import token
from tests.browser.harness import WIDTHS, Watched, context, screenshot, serious_violations
from tests.browser.people import with_password
from tests.e2e.identity_flows import signed_up
from tests.e2e.ticket_fixtures import free, ga, on_sale, order
from xudong.stack import Stack

pytestmark = pytest.mark.stack
STAFF = token("staff", "staff-pages")
ENGLISH = {"vi": "English", "en": "Tiếng Việt"}  # the switch names the other language in its own


def visit(page: Page, name: str, language: str, width: str) -> None:
    """The page as it is now, held to what every page is held to (and not wider than the
    screen: nothing scrolls sideways but the tables made to)."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert serious_violations(page) == [], f"{name} ({language}, {width})"
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{name} ({language}, {width}) is {wide} px wider than the screen"
    screenshot(page, f"{name}-{language}-{width}")


def tour(
    platform: Stack, page: Page, language: str, width: str, event_id: str, free_id: str, sold_out_id: str
) -> list[str]:
    """Each page a member of the public meets, in order; the names of those visited."""
    web = platform.web_url
    basket = page.locator("form[action$='/basket'] button[type=submit]")

    def choose_one() -> None:
        page.locator("input[type=number]").first.fill("1")
        basket.click()

    def place(email: str) -> None:
        page.locator("#email").fill(email)
        page.locator("#consent").check()
        page.locator("form[action='/checkout'] button[type=submit]").click()

    def join_the_waiting_list() -> None:
        page.locator("details.waiting summary").click()
        page.locator("details.waiting input[type=email]").fill(f"waiting-{uuid.uuid4().hex[:6]}@example.vn")
        page.locator("details.waiting button").click()

    steps: list[tuple[str, Callable[[], object]]] = [
        ("home", lambda: page.goto(web + "/")),
        ("search", lambda: page.goto(web + "/search?q=cheo")),
        ("search-refused", lambda: page.goto(web + "/search?from=31-12-2026")),
        ("event", lambda: page.goto(f"{web}/events/{event_id}")),
        ("event-refused", basket.click),
        ("checkout", choose_one),
        ("checkout-refused", lambda: page.locator("form[action='/checkout'] button[type=submit]").click()),
        ("order-held", lambda: place("buyer@example.vn")),
        ("free-event", lambda: page.goto(f"{web}/events/{free_id}")),
        ("free-checkout", choose_one),
        ("order-free", lambda: place("guest@example.vn")),
        ("sold-out-event", lambda: page.goto(f"{web}/events/{sold_out_id}")),
        ("waiting-list-joined", join_the_waiting_list),
        ("not-found", lambda: page.goto(f"{web}/events/{uuid.uuid4()}")),
    ]
    for name, step in steps:
        step()
        page.wait_for_load_state("networkidle")
        visit(page, name, language, width)
    return [name for name, _ in steps]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_public_page_passes_axe_in_both_languages_at_both_widths(
    platform: Stack, browser: Browser, language: str, width: str
) -> None:
    paid = on_sale(platform, [ga(20)])
    registration = on_sale(platform, [free(20)])
    sold_out = on_sale(platform, [ga(1)])
    taken = order(platform, sold_out["id"], items=[{"ticket_type_id": sold_out["types"][0], "quantity": 1}])
    assert taken.status_code == 201, taken.text
    watched = Watched(context(browser, width=width))
    page = watched.page
    page.goto(platform.web_url + "/")
    if language == "en":
        page.get_by_role("button", name=ENGLISH["vi"]).click()  # the switch, and it stays
    visited = tour(platform, page, language, width, paid["id"], registration["id"], sold_out["id"])
    assert len(visited) == 14 and watched.refusals == []
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang" if language == "vi" else "Page not found")


def test_a_person_signs_in_at_the_identity_provider_sees_their_tickets_and_signs_out(
    platform: Stack, browser: Browser
) -> None:
    email = signed_up(platform, "web-signin")
    watched = Watched(context(browser))
    page = watched.page
    page.goto(platform.web_url + "/my/tickets")  # asks to sign in first, then comes back here
    with_password(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vé của tôi")
    expect(page.get_by_role("button", name=re.compile("^Đăng xuất"))).to_be_visible()
    visit(page, "my-tickets", "vi", "desktop")
    page.get_by_role("link", name="Thông báo").click()  # a buyer's inbox too
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    visit(page, "inbox-buyer", "vi", "desktop")
    page.get_by_role("button", name=re.compile("^Đăng xuất")).click()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    page.goto(platform.web_url + "/my/tickets")
    expect(page.locator("#password")).to_be_visible()  # signed out here and at the provider
    assert watched.refusals == []


def test_a_person_switches_to_english_downloads_their_data_and_deletes_their_account(
    platform: Stack, browser: Browser
) -> None:
    email = signed_up(platform, "web-account")
    watched = Watched(context(browser))
    page = watched.page
    page.goto(platform.web_url + "/account")
    with_password(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của tôi")
    page.get_by_label("Ngôn ngữ của trang và tin nhắn").select_option("en")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")  # the account's language now
    expect(page.locator("table.sign-ins tbody tr").first).to_contain_text("Password")  # their audit log
    expect(page.locator("table.sign-ins tbody tr").first).to_contain_text("Signed in")
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        visit(page, "account", "en", width)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download everything the platform holds about me").click()
    held = json.loads(Path(downloading.value.path()).read_text())
    assert held["identity"]["account"]["email"] == email and set(held) >= {
        "venues",
        "booking",
        "notifications",
    }

    page.get_by_role("link", name="Delete my account").click()
    page.get_by_role("button", name="Delete my account").click()  # not confirmed: nothing happens
    expect(page.locator("#confirm-error")).to_have_text("Tick the box to confirm.")
    assert (
        requests.get(
            f"{platform.issuer}/v1/users", params={"email": email}, headers=STAFF, timeout=10
        ).status_code
        == 200
    )
    page.get_by_label("Yes, delete my account for good").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is deleted")
    gone = requests.get(f"{platform.issuer}/v1/users", params={"email": email}, headers=STAFF, timeout=10)
    assert gone.status_code == 404
    assert watched.refusals == []
