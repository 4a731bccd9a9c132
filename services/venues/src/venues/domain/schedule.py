"""The schedule of a space: entries that hold time, and what a decision may change."""

from dataclasses import dataclass
from datetime import datetime, timedelta

HOLDING = ("held", "approved", "confirmed", "blackout")


class ScheduleRefused(ValueError):
    """A decision that the entry's state does not allow."""


@dataclass(frozen=True)
class Entry:
    id: str
    space_id: str
    plot_id: str | None
    venue_booking_id: str | None
    organiser_id: str | None
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    reason: str | None
    created_at: datetime | None = None


def blocked_until(ends_at: datetime, buffer_minutes: int) -> datetime:
    """An entry keeps its space until its buffer has passed (cleaning, set changes)."""
    return ends_at + timedelta(minutes=buffer_minutes)


def decide(entry: Entry, decision: str) -> str:
    """The status a manager's decision gives a held request."""
    if entry.status != "held":
        raise ScheduleRefused(f"only a held request can be {decision}; this one is {entry.status}")
    return decision


def release(entry: Entry) -> bool:
    """Whether cancelling or expiring the booking frees time that the entry still holds."""
    return entry.status in ("held", "approved", "confirmed")
