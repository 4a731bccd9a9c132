"""Failed sign-ins slow down, then lock: per account and per client, counted over WINDOW. The
first `free` failures cost nothing; each later one makes the next attempt wait twice as long, up
to the lock, which lasts LOCKED_FOR from the failure that reached `lock_at`; the owner is told
until when. A client (one address) gets more room than an account: many people may share it
behind a school's or a café's router."""

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW, LOCKED_FOR = timedelta(minutes=15), timedelta(minutes=15)


@dataclass(frozen=True)
class Policy:
    free: int
    lock_at: int


ACCOUNT, CLIENT = Policy(free=3, lock_at=10), Policy(free=20, lock_at=100)
FREE, LOCK_AT = ACCOUNT.free, ACCOUNT.lock_at


def wait_until(failures: list[datetime], now: datetime, policy: Policy = ACCOUNT) -> datetime | None:
    """When the next attempt may be made, given the failures so far (any order); None: now."""
    recent = sorted(f for f in failures if now - f < WINDOW)
    if len(recent) <= policy.free - 1:
        return None
    last = recent[-1]
    if len(recent) >= policy.lock_at:
        until = recent[policy.lock_at - 1] + LOCKED_FOR
    else:
        until = last + timedelta(seconds=2 ** (len(recent) - policy.free))
    return until if until > now else None
