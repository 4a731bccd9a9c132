"""Money, times and two-language texts as the pages write them, in the page's language: the
templates' filters read the language the page was rendered in, the Python callers the request's."""

import pytest
from flask import Flask, render_template_string, session

from web import create_app
from web.formatting import day, money, text, when

SHOW = "{{ price|money }} · {{ start|when }} · {{ start|day }} · {{ name|text }}"
START = "2026-12-12T12:30:00+00:00"  # 19:30 in Hải Dương, a Saturday
NAME = {"vi": "Chèo cổ", "en": "Classic Chèo"}


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setenv("XUDONG_ENV", "development")
    return create_app()


def test_vietnamese_is_the_default_and_times_are_in_hai_phong(app: Flask) -> None:
    with app.test_request_context("/"):
        assert money(150_000) == "150.000\xa0₫"
        assert when(START) == "19:30, Thứ Bảy 12/12/2026"
        assert day(START) == "Thứ Bảy 12/12/2026"
        assert text(NAME) == "Chèo cổ"
        assert text({"vi": "", "en": "Only English"}) == "Only English"


def test_the_filters_write_in_the_language_of_the_page(app: Flask) -> None:
    values = {"price": 150_000, "start": START, "name": NAME}
    with app.test_request_context("/"):
        session["language"] = "vi"  # the request's language, which the page below overrides
        english = render_template_string(SHOW, lang="en", **values)
        vietnamese = render_template_string(SHOW, lang="vi", **values)
    assert english == "₫150,000 · Saturday 12 December 2026, 19:30 · Saturday 12 December 2026 · Classic Chèo"
    assert vietnamese == "150.000\xa0₫ · 19:30, Thứ Bảy 12/12/2026 · Thứ Bảy 12/12/2026 · Chèo cổ"


def test_a_page_without_a_language_takes_the_requests(app: Flask) -> None:
    with app.test_request_context("/"):
        session["language"] = "en"
        assert render_template_string("{{ price|money }} {{ name|text }}", price=5000, name=NAME) == (
            "₫5,000 Classic Chèo"
        )
