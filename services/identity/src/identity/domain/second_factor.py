"""The second factor: TOTP (RFC 6238, 30-second steps, a step of drift either way), each step
accepted once, and ten single-use recovery codes for a lost phone, stored as digests."""

import hashlib
import secrets
from datetime import datetime

import pyotp

ISSUER_NAME = "Xứ Đông Stages"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """What an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER_NAME)


def accepted_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step `code` belongs to, if it is right now (or a step before or after) and no code
    of that step or a later one was accepted before; None otherwise. Store it as `last_step`."""
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if secrets.compare_digest(totp.at(candidate * totp.interval), code.strip()):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]


def recovery_digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().encode()).hexdigest()
