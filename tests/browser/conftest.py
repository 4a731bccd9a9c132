"""The browser tests' Chromium: one per run, a fresh context (cookies, storage) per test."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright

from tests.browser.harness import chromium, driver


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with driver() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    with chromium(playwright) as launched:
        yield launched


@pytest.fixture(autouse=True)
def contexts_closed_after_each_test(browser: Browser) -> Iterator[None]:
    """The contexts a test opened are closed when it ends: their pages would otherwise go on
    running for the rest of the run (the door's tabs asked for their list every 15 s until the
    last test), taking the CPU the later tests' pages need."""
    yield
    for opened in browser.contexts:
        opened.close()
