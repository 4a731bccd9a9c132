"""One-time codes (sign-in by email or SMS: six digits, five minutes, five tries) and links (email
verification and password reset: single use, expiring). Only digests are stored: a code's is keyed
(a million codes would otherwise be tried against a leaked digest in a moment), a link's token is
long enough to need no key."""

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_DIGITS, CODE_LIFETIME, CODE_TRIES = 6, timedelta(minutes=5), 5
VERIFY_LINK_LIFETIME, RESET_LINK_LIFETIME = timedelta(hours=24), timedelta(hours=1)


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"  # tries are left
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # no try is left: ask for a new one
    USED = "used"


@dataclass(frozen=True)
class Challenge:
    digest: str
    expires_at: datetime
    tries: int = 0  # wrong answers so far
    used_at: datetime | None = None


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(key: bytes, code: str) -> str:
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check(challenge: Challenge, digest: str, now: datetime, tries: int = CODE_TRIES) -> Outcome:
    """The answer whose digest is `digest`, to `challenge` at `now`; a wrong answer counts a try
    (the caller stores it), and once `tries` are spent even the right one is refused."""
    if challenge.used_at is not None:
        return Outcome.USED
    if now >= challenge.expires_at:
        return Outcome.EXPIRED
    if challenge.tries >= tries:
        return Outcome.EXHAUSTED
    if not hmac.compare_digest(challenge.digest, digest):
        return Outcome.EXHAUSTED if challenge.tries + 1 >= tries else Outcome.WRONG
    return Outcome.ACCEPTED
