"""Failed sign-ins slow down, then lock: per account and per client, counted over WINDOW. The
first FREE failures cost nothing; each later one makes the next attempt wait twice as long, up to
the lock, which lasts LOCKED_FOR from the failure that reached LOCK_AT; the owner is told until when."""

from datetime import datetime, timedelta

WINDOW, FREE, LOCK_AT = timedelta(minutes=15), 3, 10
LOCKED_FOR = timedelta(minutes=15)


def wait_until(failures: list[datetime], now: datetime) -> datetime | None:
    """When the next attempt may be made, given the failures so far (any order); None: now."""
    recent = sorted(f for f in failures if now - f < WINDOW)
    if len(recent) <= FREE - 1:
        return None
    last = recent[-1]
    if len(recent) >= LOCK_AT:
        until = recent[LOCK_AT - 1] + LOCKED_FOR
    else:
        until = last + timedelta(seconds=2 ** (len(recent) - FREE))
    return until if until > now else None
