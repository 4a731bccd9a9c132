"""How the pages write money, times and the services' two-language texts: `150.000 ₫`, times in
Asia/Ho_Chi_Minh the Vietnamese way (19:30, Thứ Bảy 12/12/2026), the reader's language first.

The templates' filters take the page's language from the page (`lang`, set once by
`pages.page`): asking Flask-Babel for it on each of a page's hundreds of names and times was the
largest part of a search page's own cost."""

from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_currency
from flask import Flask
from flask_babel import get_locale
from jinja2 import pass_context

from eventbus.fields import LOCAL

PATTERNS = {"vi": "HH:mm, EEEE dd/MM/yyyy", "en": "EEEE d MMMM yyyy, HH:mm"}
DAY_PATTERNS = {"vi": "EEEE dd/MM/yyyy", "en": "EEEE d MMMM yyyy"}
LOCALES = {language: Locale.parse(language) for language in PATTERNS}


def moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _language(language: str | None) -> str:
    return language if language in LOCALES else str(get_locale())


def when(value: str | datetime, language: str | None = None, patterns: dict[str, str] = PATTERNS) -> str:
    """A time as people in Hải Dương read it (the services answer with an offset)."""
    chosen = _language(language)
    return str(format_datetime(moment(value), patterns[chosen], tzinfo=LOCAL, locale=LOCALES[chosen]))


def day(value: str | datetime, language: str | None = None) -> str:
    return when(value, language, DAY_PATTERNS)


def money(amount: int, language: str | None = None) -> str:
    """Integer VND as `150.000 ₫` (in English `₫150,000`)."""
    return str(format_currency(amount, "VND", locale=LOCALES[_language(language)]))


def text(localised: dict[str, str] | None, language: str | None = None) -> str:
    """The reader's language of a {vi, en} text, the other when it is empty."""
    if not localised:
        return ""
    ordered = ("vi", "en") if _language(language) == "vi" else ("en", "vi")
    return next((localised[k] for k in ordered if localised.get(k)), "")


def install(app: Flask) -> None:
    def in_page_language(format_: Any) -> Any:
        return pass_context(lambda page, value: format_(value, page.get("lang")))

    filters = {
        name: in_page_language(f)
        for name, f in (("when", when), ("day", day), ("money", money), ("text", text))
    }
    app.jinja_env.filters.update(filters)
