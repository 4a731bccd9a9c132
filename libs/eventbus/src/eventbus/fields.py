"""Marshmallow fields every service shows the same way."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


class LocalTime(ma.fields.AwareDateTime):
    """Read with any offset, stored in UTC, shown in Asia/Ho_Chi_Minh."""

    def _serialize(
        self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        return None if value is None else super()._serialize(value.astimezone(LOCAL), attr, obj, **kwargs)
