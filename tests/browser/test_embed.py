"""The widget another site frames (the provincial portal's culture page): a page of that site,
served here on its own origin, frames the widget and one of our ordinary pages; the widget shows
the events its fields ask for and opens them on Xứ Đông Stages in a new tab, while the ordinary
page is refused by its frame-ancestors; the widget passes axe-core in both languages."""

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, expect

from eventbus.fields import LOCAL
from tests.browser.harness import Watched, context, screenshot, serious_violations
from tests.e2e.ticket_fixtures import ga, on_sale
from xudong.stack import Stack

pytestmark = pytest.mark.stack


@pytest.fixture
def portal() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Another site on 127.0.0.1: its address, and its pages by path (the test writes them)."""
    pages: dict[str, bytes] = {}

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_frames_the_widget_and_no_other_page(
    platform: Stack, browser: Browser, portal: tuple[str, dict[str, bytes]]
) -> None:
    tag = uuid.uuid4().hex[:6]
    event = on_sale(platform, [ga(10)], title={"vi": f"Chèo làng {tag}", "en": f"Village Chèo {tag}"})
    day = datetime.fromisoformat(event["shown"]["sessions"][0]["start"]).astimezone(LOCAL).date()
    widget = f"{platform.web_url}/embed/events?from={day}&to={day}&q={tag}"
    ordinary = f"{platform.web_url}/events/{event['id']}"
    site, pages = portal
    pages["/culture"] = (
        '<!doctype html><html lang="vi"><title>Văn hóa</title>'
        f'<iframe id="widget" title="Sự kiện" src="{widget}" width="400" height="600"></iframe>'
        f'<iframe id="page" title="Trang" src="{ordinary}" width="400" height="600"></iframe></html>'
    ).encode()

    watched = Watched(context(browser))
    page = watched.page
    page.goto(f"{site}/culture")
    shown = page.frame_locator("#widget").get_by_role("link", name=event["shown"]["title"]["vi"])
    expect(shown).to_be_visible()
    with page.expect_popup() as opened:  # on Xứ Đông Stages, in a new tab: not inside the portal
        shown.click()
    expect(opened.value).to_have_url(ordinary)
    # refused: the browser shows its own error in that frame, not the event
    expect(page.frame_locator("#page").get_by_text(f"Chèo làng {tag}")).to_have_count(0)
    assert [r for r in watched.refusals if "frame-ancestors" in r], watched.refusals

    for language in ("vi", "en"):
        alone = Watched(context(browser, width="phone")).page
        answer = alone.goto(f"{widget}&lang={language}")
        assert answer is not None and "set-cookie" not in answer.headers  # framed, it keeps nothing
        expect(alone.locator("html")).to_have_attribute("lang", language)
        assert serious_violations(alone) == [], language
        screenshot(alone, f"embed-{language}-phone")
