"""A person's own data as one service holds it (Decree 13/2023/NĐ-CP, the right to one's data):
the rows of each table that are theirs, every column as it is stored but secrets, in JSON. The
identity service gathers every service's part into the one download."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa


def rows(
    conn: sa.Connection, table: sa.Table, theirs: sa.ColumnElement[bool], leave_out: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The table's rows that are theirs, in the order of its key, without the columns left out (a
    secret they were shown once, the raw event a message was made from)."""
    columns = [c for c in table.columns if c.name not in leave_out]
    query = sa.select(*columns).where(theirs).order_by(*table.primary_key.columns)
    return [{k: _json(v) for k, v in row._mapping.items()} for row in conn.execute(query)]


def _json(value: Any) -> Any:
    """A time as ISO 8601 in UTC, as the APIs write it; a key as its text; the rest as stored."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return value if value is None or isinstance(value, str | int | float | bool | list | dict) else str(value)
