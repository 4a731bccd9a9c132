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
