"""Messages written from their templates, one file per message and language (`templates/`): the
first line is the subject. Dates are shown in Asia/Ho_Chi_Minh, amounts as VND."""

from datetime import date, datetime
from typing import Any

import jinja2

from eventbus.fields import LOCAL
from eventbus.text import one_line
from notifications.domain.messages import vnd


def _local(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


def _day(day: str) -> str:
    return date.fromisoformat(day).strftime("%d/%m/%Y")


_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("notifications", "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    auto_reload=False,  # templates change with a release, not while the worker runs
    autoescape=False,  # plain text messages
)
_templates.filters.update(vnd=vnd, local=_local, day=_day)


def render(template: str, language: str, data: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message in Vietnamese or English (Vietnamese when unsure). The subject
    is one line on every channel, whatever the text the event brought."""
    language = language if language in ("vi", "en") else "vi"
    text = _templates.get_template(f"{template}.{language}.txt").render(**data)
    subject, _, body = text.partition("\n")
    return one_line(subject.removeprefix("Subject: ")), body.strip() + "\n"
