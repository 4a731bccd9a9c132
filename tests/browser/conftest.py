"""The browser tests' Chromium: one per run, a fresh context (cookies, storage) per test."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser.harness import chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
