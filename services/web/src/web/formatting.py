"""How the pages write money, times and the services' two-language texts: `150.000 ₫`, times in
Asia/Ho_Chi_Minh the Vietnamese way (19:30, Thứ Bảy 12/12/2026), the reader's language first."""

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import format_currency, format_datetime, get_locale

PATTERNS = {"vi": "HH:mm, EEEE dd/MM/yyyy", "en": "EEEE d MMMM yyyy, HH:mm"}
DAY_PATTERNS = {"vi": "EEEE dd/MM/yyyy", "en": "EEEE d MMMM yyyy"}


def moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def when(value: str | datetime, patterns: dict[str, str] = PATTERNS) -> str:
    """A time as people in Hải Dương read it (the services answer with an offset)."""
    return str(format_datetime(moment(value), patterns[str(get_locale())]))


def day(value: str | datetime) -> str:
    return when(value, DAY_PATTERNS)


def money(amount: int) -> str:
    """Integer VND as `150.000 ₫` (in English `₫150,000`)."""
    return str(format_currency(amount, "VND"))


def text(localised: dict[str, str] | None) -> str:
    """The reader's language of a {vi, en} text, the other when it is empty."""
    if not localised:
        return ""
    ordered = ("vi", "en") if str(get_locale()) == "vi" else ("en", "vi")
    return next((localised[k] for k in ordered if localised.get(k)), "")


def install(app: Flask) -> None:
    filters: dict[str, Any] = {"when": when, "day": day, "money": money, "text": text}
    app.jinja_env.filters.update(filters)
