"""A form posted without its CSRF token, or from another origin, is refused with our own page and
changes nothing; the same form with its token, from our own page, is taken."""

import pytest
import requests
from playwright.sync_api import Browser

from tests.browser.harness import Watched, context
from tests.e2e.ticket_fixtures import ga, on_sale
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def held_places(platform: Stack, event_id: str) -> int:
    left = requests.get(
        f"http://127.0.0.1:{platform.ports.booking}/v1/events/{event_id}/availability", timeout=10
    )
    return 10 - int(left.json()["ticket_types"][0]["available"])


def test_a_form_without_its_token_or_from_another_origin_is_refused_and_changes_nothing(
    platform: Stack, browser: Browser
) -> None:
    event = on_sale(platform, [ga(10)])
    watched = Watched(context(browser))
    page = watched.page
    page.goto(f"{platform.web_url}/events/{event['id']}")
    page.locator("input[type=number]").fill("2")
    page.locator("form[action$='/basket'] button[type=submit]").click()
    page.locator("#email").fill("csrf@example.vn")
    page.locator("#consent").check()
    checkout = f"{platform.web_url}/checkout"
    form: dict[str, str | float | bool] = {"email": "csrf@example.vn", "consent": "yes"}

    without_token = page.request.post(checkout, form=form)
    assert without_token.status == 403 and "Biểu mẫu này đã hết hạn" in without_token.text()
    token = page.locator("form[action='/checkout'] input[name=csrf_token]").input_value()
    elsewhere = page.request.post(
        checkout, form=form | {"csrf_token": token}, headers={"Origin": "http://evil.example"}
    )
    assert elsewhere.status == 403
    assert held_places(platform, event["id"]) == 0  # nothing was held by either

    page.locator("form[action='/checkout'] button[type=submit]").click()  # the page's own form
    page.wait_for_url("**/orders/*")
    assert held_places(platform, event["id"]) == 2
