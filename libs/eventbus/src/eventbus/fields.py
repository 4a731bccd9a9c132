"""Marshmallow fields every service shows the same way."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

from eventbus.text import CONTROL, CONTROL_BUT_NEWLINE_AND_TAB

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# The years a LocalTime reads, and the same as a pattern of its text.
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS_PATTERN = r"^(20[0-9][0-9]|2100)-"


class LocalTime(ma.fields.AwareDateTime):
    """Read with any offset, stored in UTC, shown in Asia/Ho_Chi_Minh; years 2000 to 2100."""

    document_pattern = YEARS_PATTERN

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ma.ValidationError("must fall between the years 2000 and 2100")
        return moment

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        return None if value is None else super()._serialize(value.astimezone(LOCAL), attr, obj, **kwargs)


class Line(ma.fields.String):
    """One line of user text: a title, a name, a label, a reason. It travels into email subjects,
    SMS, calendars and logs, so control characters and line separators are refused, with the
    field named, rather than cleaned away unseen."""

    refused = CONTROL
    refusal = "may not contain control characters or line breaks"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if self.refused.search(text):
            raise ma.ValidationError(self.refusal)
        return text

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        """Shown without what it refuses, as its pattern promises, even if stored before the rule."""
        text = super()._serialize(value, attr, obj, **kwargs)
        return None if text is None else self.refused.sub(" ", text.replace("\r\n", "\n"))

    @property
    def document_pattern(self) -> str:
        """The same rule as a pattern for the OpenAPI document: none of the characters refused."""
        return f"^[^{self.refused.pattern[1:-1]}]*$"


class Paragraphs(Line):
    """User text of several lines (a description, a purpose): newlines and tabs are kept, a
    Windows line end is read as a newline, any other control character is refused."""

    refused = CONTROL_BUT_NEWLINE_AND_TAB
    refusal = "may not contain control characters other than newline and tab"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = value.replace("\r\n", "\n") if isinstance(value, str) else value
        return super()._deserialize(text, attr, data, **kwargs)


class PageQuery(ma.Schema):
    """A page of a list: at most `limit` items from `cursor`, the `next_cursor` of the page before."""

    cursor = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[0-9]{1,9}$"))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))
