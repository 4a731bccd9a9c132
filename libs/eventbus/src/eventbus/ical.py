"""iCalendar documents (RFC 5545): CRLF lines, escaped text, 75-octet folding, times in UTC."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from eventbus.text import CONTROL_BUT_NEWLINE_AND_TAB, LINE_BREAK


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    status: str | None = None  # TENTATIVE, CONFIRMED or CANCELLED


def _text(value: str) -> str:
    """TEXT: backslash, semicolon and comma escaped; each line break, however written (a bare
    `\\r` would end the content line early), as `\\n`; other control characters, which TEXT
    may not hold, dropped."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return CONTROL_BUT_NEWLINE_AND_TAB.sub("", LINE_BREAK.sub(r"\\n", escaped))


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw, parts = line.encode(), list[str]()
    while len(raw) > 75:
        cut = 75 if not parts else 74
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    parts.append(raw.decode())
    return "\r\n ".join(parts)


def calendar(product: str, events: Iterable[CalendarEvent], now: datetime, name: str | None = None) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//Xu Dong Stages//{product}//VI",
        "CALSCALE:GREGORIAN",
    ]
    if name is not None:
        lines += [f"X-WR-CALNAME:{_text(name)}", "X-WR-TIMEZONE:Asia/Ho_Chi_Minh"]
    for e in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.uid}@xudong-stages",
            f"DTSTAMP:{_when(now)}",
            f"DTSTART:{_when(e.starts_at)}",
            f"DTEND:{_when(e.ends_at)}",
            f"SUMMARY:{_text(e.summary)}",
            *([f"STATUS:{e.status}"] if e.status else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
