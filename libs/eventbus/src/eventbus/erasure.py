"""What erasing a person takes from a service's tables whatever their shape: each of the person's
addresses wherever text holds it, and what the dead letters of events that named them carried.
The service's own use case first anonymises what it keys by the person's id."""

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

ERASED = "erased"  # what stands where a person's id, address or words were
# An address is found whole: a@x.vn not inside ba@x.vn or a@x.vn.com, a phone not inside a longer
# number. The pattern reads the same to PostgreSQL (an ARE) and to Python's re.
EMAIL = r"(?<![A-Za-z0-9._%+-]){}(?![A-Za-z0-9_-]|\.[A-Za-z0-9])"
PHONE = r"(?<![0-9+]){}(?![0-9])"


def addresses(emails: list[str], phones: list[str]) -> str | None:
    """A regular expression that finds any of the addresses, whatever its case; None for none."""
    found = [EMAIL.format(re.escape(e)) for e in emails if e] + [
        PHONE.format(re.escape(p)) for p in phones if p
    ]
    return "|".join(found) or None


def erase_mentions(
    conn: sa.Connection,
    metadata: sa.MetaData,
    dead_letters: sa.Table,
    user_id: str,
    emails: list[str],
    phones: list[str],
) -> None:
    pattern = addresses(emails, phones)
    if pattern is not None:
        for table in metadata.sorted_tables:
            _scrub(conn, table, pattern)
    named = f'"{re.escape(user_id)}"'  # their id as a JSON string, not inside another id
    _blank(conn, dead_letters, named if pattern is None else f"{pattern}|{named}")


def _scrub(conn: sa.Connection, table: sa.Table, pattern: str) -> None:
    """Every text and JSONB column of the table loses the addresses it holds. Columns of a key or a
    unique constraint are the use case's to change, knowing what the row is: two keys made one
    would collide."""
    keys = {c.name for c in table.primary_key.columns}
    keys |= {c.name for k in table.constraints if isinstance(k, sa.UniqueConstraint) for c in k.columns}
    keys |= {c.name for i in table.indexes if i.unique for c in i.columns}
    free = [
        c
        for c in table.columns
        if isinstance(c.type, sa.String | JSONB) and not c.unique and c.name not in keys
    ]
    if not free:
        return

    def as_text(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        return sa.cast(column, sa.Text) if isinstance(column.type, JSONB) else column

    def replaced(column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        text = as_text(column).regexp_replace(pattern, ERASED, flags="gi")
        return sa.cast(text, JSONB) if isinstance(column.type, JSONB) else text

    holds = sa.or_(*(as_text(c).regexp_match(pattern, flags="i") for c in free))
    conn.execute(table.update().where(holds).values({c.name: replaced(c) for c in free}))


def _blank(conn: sa.Connection, dead_letters: sa.Table, pattern: str) -> None:
    """The dead letters whose event holds the pattern lose their payload and error; the row stays,
    to count. The payload's bytes are read as escaped text: an unreadable one fails nothing."""
    d = dead_letters
    payload = sa.func.encode(d.c.payload, "escape")
    conn.execute(
        d.update()
        .where(sa.or_(payload.regexp_match(pattern, flags="i"), d.c.error.regexp_match(pattern, flags="i")))
        .values(payload=None, error=f"{ERASED}: it named a person who asked to be forgotten")
    )
