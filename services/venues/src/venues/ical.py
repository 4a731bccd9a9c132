"""A space's schedule as an iCalendar document (RFC 5545), for managers' calendar programs."""

from collections.abc import Iterable
from datetime import datetime

from eventbus.ical import CalendarEvent, calendar
from venues.domain.schedule import Entry

STATUS = {"held": "TENTATIVE", "approved": "TENTATIVE", "confirmed": "CONFIRMED", "blackout": "CONFIRMED"}


def schedule_calendar(name: str, entries: Iterable[Entry], now: datetime) -> str:
    events = [
        CalendarEvent(
            e.id,
            e.starts_at,
            e.ends_at,
            f"[{e.status}] {e.title}" if e.status in ("held", "approved") else e.title,
            STATUS.get(e.status, "TENTATIVE"),
        )
        for e in entries
    ]
    return calendar("venues", events, now, name)
