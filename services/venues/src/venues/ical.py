"""A space's schedule as an iCalendar document (RFC 5545), for managers' calendar programs."""

from collections.abc import Iterable
from datetime import UTC, datetime

from venues.domain.schedule import Entry

STATUS = {"held": "TENTATIVE", "approved": "TENTATIVE", "confirmed": "CONFIRMED", "blackout": "CONFIRMED"}


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


def calendar(name: str, entries: Iterable[Entry], now: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Xu Dong Stages//venues//VI",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
    ]
    for e in entries:
        title = f"[{e.status}] {e.title}" if e.status in ("held", "approved") else e.title
        lines += [
            "BEGIN:VEVENT",
            f"UID:{e.id}@xudong-stages",
            f"DTSTAMP:{_when(now)}",
            f"DTSTART:{_when(e.starts_at)}",
            f"DTEND:{_when(e.ends_at)}",
            f"SUMMARY:{_text(title)}",
            f"STATUS:{STATUS.get(e.status, 'TENTATIVE')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
