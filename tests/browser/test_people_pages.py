"""Every page of the organisers, the venue managers and the Department's staff (who read any
space's calendar from their venues page), in Vietnamese and in English (the switch, once signed
in), at 360 px and at 1280 px: no serious or critical axe-core violation, `<html lang>` right,
nothing refused by the Content-Security-Policy, a screenshot of each into the test output. Each
page is shown with something on it: a booking waiting for its fee, one confirmed and waiting for
its event, an event on sale, a request in the review queue and on a calendar."""

import re
import uuid
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from conftest import token
from tests.browser import people
from tests.browser.harness import WIDTHS, Watched, context
from tests.browser.test_pages import ENGLISH, visit
from tests.e2e.identity_flows import granted, signed_up, user_id
from tests.e2e.ticket_fixtures import api, confirmed_booking, ga, on_sale
from tests.e2e.venue_fixtures import booking_status, night_market, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
SIGNED_IN = {
    "vi": ("Cài đặt ứng dụng xác thực", "Đã đăng nhập", "Mật khẩu"),
    "en": ("Setting up the authenticator app", "Signed in", "Password"),
}
Steps = list[tuple[str, str | Callable[[], object]]]  # a page's name, and its path or what opens it


def tour(platform: Stack, page: Page, language: str, steps: Steps) -> None:
    """Each step's page, at both widths, held to what every page is held to."""
    if language == "en":
        page.get_by_role("button", name=ENGLISH["vi"]).click()
    for name, step in steps:
        if isinstance(step, str):
            page.goto(platform.web_url + step)
        else:
            step()
        page.wait_for_load_state("networkidle")
        for width, (w, h) in WIDTHS.items():
            page.set_viewport_size({"width": w, "height": h})
            visit(page, name, language, width)


def requested(platform: Stack, space_id: str, organiser: dict[str, str], state: str, days: int = 0) -> str:
    """An organiser's request of the space (`days` ahead, else on a day of its own), once it has
    reached `state`; its booking id."""
    asked = requests.post(
        api(platform, "/venue-bookings"),
        headers=organiser,
        json=request_body(space_id, *slot(days=days or 40 + uuid.uuid4().int % 200)),
        timeout=10,
    )
    assert asked.status_code == 202, asked.text
    booking_status(platform, asked.json()["id"], organiser, state)
    return str(asked.json()["id"])


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_organiser_page_passes_axe(platform: Stack, browser: Browser, language: str) -> None:
    tag = uuid.uuid4().hex[:6]
    email = signed_up(platform, f"pages-organiser-{tag}")
    organiser = token("organiser", user_id(platform, email))
    free_hall = venue(platform, needs_approval=False, free_public_use=True)
    waiting, _, _ = confirmed_booking(platform, free_hall, "hall", organiser)  # waiting for its event
    paid_hall = venue(platform, needs_approval=False)["hall"]["id"]
    fee = requested(platform, paid_hall, organiser, "awaiting_payment")
    event = on_sale(platform, [ga(20)], organiser=organiser)
    stalls = night_market(platform, ("A01", "A02"), tag)["spaces"][0]["id"]
    watched = Watched(context(browser))
    page = watched.page
    people.sign_in(page, platform.web_url, email)
    day = slot(days=30)[0][:10]
    tour(
        platform,
        page,
        language,
        [
            ("organiser-find", "/organiser/find"),
            ("organiser-find-free", f"/organiser/find?day={day}&start=09:00&end=11:00"),
            ("organiser-plots", f"/organiser/spaces/{stalls}/plots?day={day}&start=18:00&end=22:00"),
            ("organiser-bookings", "/organiser/bookings"),
            ("organiser-pay-fee", f"/organiser/bookings/{fee}/pay"),
            ("organiser-event-form", f"/organiser/bookings/{waiting}/event"),
            (
                "organiser-event-form-two-types",
                page.locator("form[action$='/event'] button[value=add]").click,
            ),
            (
                "organiser-event-form-refused",
                page.locator("form[action$='/event'] button:not([value])").click,
            ),
            ("organiser-event", f"/organiser/events/{event['id']}"),
            ("organiser-events", "/organiser/events"),
            ("organiser-sales", f"/organiser/events/{event['id']}/sales"),
            ("organiser-inbox", "/inbox"),
        ],
    )
    assert watched.refusals == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_manager_page_passes_axe(platform: Stack, browser: Browser, language: str) -> None:
    tag = uuid.uuid4().hex[:6]
    email, place = people.venue_manager(platform, f"pages-{tag}", needs_approval=False, free_public_use=True)
    reviewed = people.another_venue(platform, place["manager_id"])  # its requests wait for the manager
    requested(platform, reviewed["hall"]["id"], token("organiser", f"org-pages-{tag}"), "held")
    event = on_sale(platform, [ga(20)], place=place)
    watched = Watched(context(browser))
    page = watched.page
    people.manager_signs_in_with_totp(page, platform.web_url, email)
    tour(
        platform,
        page,
        language,
        [
            ("manager-venues", "/manager"),
            ("manager-calendar", f"/manager/spaces/{place['hall']['id']}"),
            ("manager-review", "/manager/review"),
            ("manager-door", f"/manager/door/{event['id']}?gate=A"),
        ],
    )
    expect(page.locator("#door")).to_have_attribute("data-ready", "true")
    assert watched.refusals == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_staff_page_passes_axe(platform: Stack, browser: Browser, language: str) -> None:
    tag = uuid.uuid4().hex[:6]
    email = signed_up(platform, f"pages-staff-{tag}")
    granted(platform, email, "staff")
    hall = venue(platform, name=f"Nhà văn hóa {tag}")["hall"]
    requested(platform, hall["id"], token("organiser", f"org-staff-pages-{tag}"), "held", days=12)
    someone = signed_up(platform, f"pages-someone-{tag}")
    watched = Watched(context(browser))
    page = watched.page
    people.signs_in_with_totp(page, platform.web_url, email)
    tour(
        platform,
        page,
        language,
        [
            ("staff-areas", "/staff/areas"),
            ("staff-venues", f"/staff/venues?q={tag}"),
            ("staff-calendar", page.get_by_role("link", name=hall["name"][language], exact=True).click),
            ("staff-accounts", f"/staff/accounts?email={someone}&venue_q={tag}"),
            ("staff-refunds", "/staff/refunds"),
            ("staff-own-account", f"/staff/accounts?email={email}"),
        ],
    )
    said = SIGNED_IN[language]  # staff read any account's sign-ins; here their own, newest first
    expect(page.locator("table.sign-ins tbody tr").first).to_have_text(re.compile(f"{said[0]}.*{said[1]}"))
    expect(page.locator("table.sign-ins")).to_contain_text(said[2])
    day = slot(days=12)[0][:10]  # the request's week: staff see any space's schedule
    page.goto(f"{platform.web_url}/manager/spaces/{hall['id']}?day={day}")
    expect(page.locator(".fc-event").first).to_be_visible()  # with the request waiting on it
    assert watched.refusals == []
