"""Debian's Chromium driven by Playwright for Python (`playwright install` cannot download a
browser here), with what every page is held to: no serious or critical axe-core violation (axe
from npm, evaluated in the page as DevTools does, which the page's CSP does not stop), no
Content-Security-Policy refusal in the console, and screenshots at 360 px and 1280 px."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

from xudong.processes import ROOT

CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("XUDONG_TEST_OUTPUT", ROOT / "test-output")) / "screenshots"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@contextmanager
def chromium(playwright: Playwright, *arguments: str) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", *arguments]
    )
    try:
        yield browser
    finally:
        browser.close()


class Watched:
    """A page and what its console said that a page of ours must never say."""

    def __init__(self, context: BrowserContext) -> None:
        self.page: Page = context.new_page()
        self.refusals: list[str] = []
        self.page.on("console", self._heard)
        self.page.set_default_timeout(20_000)

    def _heard(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.refusals.append(message.text)


def context(browser: Browser, language: str = "vi", width: str = "desktop", **options: Any) -> BrowserContext:
    w, h = WIDTHS[width]
    return browser.new_context(viewport={"width": w, "height": h}, locale=language, **options)


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found: list[dict[str, Any]] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
