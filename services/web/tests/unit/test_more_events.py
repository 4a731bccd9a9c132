"""The search's "more events" link: the next page, with the same fields, none left empty."""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from web import create_app
from web.public import more


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("XUDONG_ENV", "development")
    return create_app()


def test_the_next_page_keeps_the_fields_asked_and_adds_the_cursor(app: Flask) -> None:
    asked = {"q": "cheo", "from": "2026-12-01", "to": "", "area": "", "price": "free", "cursor": "20"}
    with app.test_request_context("/search"):
        link = more(asked, "40")
    assert link is not None and urlsplit(link).path == "/search"
    assert parse_qs(urlsplit(link).query) == {
        "q": ["cheo"],
        "from": ["2026-12-01"],
        "price": ["free"],
        "cursor": ["40"],
    }


def test_the_last_page_has_no_next(app: Flask) -> None:
    with app.test_request_context("/search"):
        assert more({"q": "cheo"}, None) is None
