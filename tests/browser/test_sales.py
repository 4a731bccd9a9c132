"""An organiser's events and an event's sales in the browser: sold, held, free and checked in per
ticket type (in the table and on its chart), the revenue, the buyers on the page and in the CSV
download; cancelling the event, refused without a reason, then done (the buyers refunded); in
Vietnamese at 1280 px and in English at 360 px, each page checked by axe-core."""

import csv
import io
import uuid

import pytest
import requests
from playwright.sync_api import Browser, expect

from conftest import token
from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.browser.people import sign_in
from tests.e2e.identity_flows import signed_up, user_id
from tests.e2e.ticket_fixtures import api, free, ga, on_sale, order, order_status, pay, signed_qr
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_an_organiser_reads_an_events_sales_and_downloads_its_buyers(
    platform: Stack, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = signed_up(platform, f"sales-{tag}")
    organiser = token("organiser", user_id(platform, email))  # the account the browser signs in to
    event = on_sale(platform, [ga(20, price=150_000), free(10)], organiser=organiser)
    paid_type, free_type = event["types"]
    bought = order(platform, event["id"], items=[{"ticket_type_id": paid_type, "quantity": 2}]).json()
    pay(platform, bought)
    code = order_status(platform, bought, "paid")["tickets"][0]["code"]
    registered = order(platform, event["id"], items=[{"ticket_type_id": free_type, "quantity": 1}]).json()
    order_status(platform, registered, "paid")
    checked = requests.post(
        api(platform, "/checkins"),
        json={"event_id": event["id"], "qr": signed_qr(code), "gate": "A"},
        headers=organiser,
    )
    assert checked.status_code == 200, checked.text

    watched = Watched(context(browser))
    page = watched.page
    sign_in(page, platform.web_url, email)
    page.get_by_role("link", name="Sự kiện của tôi").click()
    expect(page.locator(".event-card .status")).to_have_text("Đang mở bán")
    assert serious_violations(page) == []
    screenshot(page, "my-events-vi-desktop")
    page.locator(".event-card").get_by_role("link", name=f"Bán vé: {event['shown']['title']['vi']}").click()
    paid_row = page.locator("table.sales tbody tr").first
    expect(paid_row.locator("td")).to_have_text(["150.000 ₫", "20", "2", "0", "18", "1", "300.000 ₫"])
    expect(page.locator(".total")).to_have_text("Doanh thu: 300.000 ₫")
    expect(page.locator("table.buyers tbody tr")).to_have_count(2)
    drawn = page.evaluate(  # the chart Chart.js drew, with the table's figures per type
        "() => { const c = Chart.getChart('sales-chart');"
        " return c && [c.width > 0, c.data.datasets.map(d => [d.label, d.data])]; }"
    )
    assert drawn == [
        True,
        [["Đã bán", [2, 1]], ["Đang giữ", [0, 0]], ["Còn lại", [18, 9]], ["Đã vào", [1, 0]]],
    ]
    assert serious_violations(page) == []
    screenshot(page, "sales-vi-desktop")

    link = page.get_by_role("link", name="Tải danh sách người mua (CSV)").get_attribute("href")
    download = page.request.get(f"{platform.web_url}{link}")  # with the organiser's session
    assert download.ok and download.headers["content-type"].startswith("text/csv")
    text = download.body().decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Vietnamese right
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Đơn hàng", "Email", "Vé", "Tổng (đồng)", "Thanh toán lúc", "Đã vào"]
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [
        (bought["email"], "300000", "1"),
        (registered["email"], "0", "0"),
    ]
    assert rows[1][2].endswith("× 2")

    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("button", name="English").click()
    expect(page.locator(".total")).to_have_text("Revenue: ₫300,000")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the tables scroll, not the page
    screenshot(page, "sales-en-phone")

    page.get_by_role("button", name="Cancel the event").click()  # no reason given: refused
    expect(page.locator("#reason-error")).to_contain_text("Say why the event is cancelled")
    expect(page.locator("p .status")).to_have_text("On sale")
    page.get_by_label("Why it is cancelled (the buyers are told)").fill("A typhoon is coming")
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.locator(".notice")).to_contain_text("refunded in full")
    expect(page.locator("p .status")).to_have_text("Cancelled")
    assert order_status(platform, bought, "cancelled", "refunded")["status"] in ("cancelled", "refunded")
    assert serious_violations(page) == []
    screenshot(page, "sales-cancelled-en-phone")
    page.get_by_role("link", name="My events").first.click()
    expect(page.locator(".event-card .status")).to_have_text("Cancelled")
    assert serious_violations(page) == []
    screenshot(page, "my-events-en-phone")
    assert watched.refusals == []
