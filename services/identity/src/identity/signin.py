"""Use cases of signing in: a first factor (the password, or a one-time code sent by email or
SMS), then for those who have one, or must (staff and venue managers), the second: a TOTP code or
a recovery code. Every attempt is recorded, and wrong ones slow down and then lock the account
and the client alike, counted in the database so that every worker sees the same count; an email
with no account is counted and answered exactly as one with an account."""

import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from identity import config
from identity.account import Account
from identity.accounts import due, send
from identity.domain import challenges, lockout, passwords, second_factor
from identity.domain.challenges import Outcome
from identity.keys import opened, seal
from identity.unit_of_work import IdentityUnitOfWork

NEEDS_SECOND_FACTOR = ("staff", "venue_manager")
WRONG = ("wrong_password", "wrong_code")


@dataclass(frozen=True)
class SignIn:
    account: Account | None  # the factor was right; else `refusal` says why
    refusal: str | None = None  # wrong_password, wrong_code, locked, unverified, suspended
    wait_until: datetime | None = None


def account_key(email: str, env: Mapping[str, str] = os.environ) -> str:
    return hmac.new(config.digest_key(env), email.casefold().encode(), hashlib.sha256).hexdigest()


Check = Callable[[IdentityUnitOfWork, Account | None], str | None]


def attempt(
    uow: IdentityUnitOfWork, email: str, client: str, at: datetime, method: str, check: Check
) -> SignIn:
    """One sign-in attempt by `method`: `check` says what is wrong with the answer (None: right)."""
    key = account_key(email)
    with uow:
        uow.lock(f"sign-in:{key}")  # one attempt on an account at a time, in all workers
        since = at - lockout.WINDOW
        waits = [
            lockout.wait_until(uow.failures(since, WRONG, account=key), at),
            lockout.wait_until(uow.failures(since, WRONG, client=client), at, lockout.CLIENT),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        account = uow.account_by_email(email)
        if wait is not None:
            result = SignIn(None, "locked", wait)
        elif (wrong := check(uow, account)) is not None:
            result = SignIn(None, wrong)
        elif account is None:
            result = SignIn(None, WRONG[0])
        elif account.suspended_at is not None:
            result = SignIn(None, "suspended")
        elif account.email_verified_at is None:
            result = SignIn(None, "unverified")
        else:
            result = SignIn(account)
        uow.record_sign_in(
            at=at,
            account=key,
            user_id=account.id if account else None,
            client=client,
            method=method,
            outcome=result.refusal or "success",
        )
        uow.commit()
    return result


def with_password(uow: IdentityUnitOfWork, email: str, password: str, client: str, at: datetime) -> SignIn:
    def check(uow: IdentityUnitOfWork, account: Account | None) -> str | None:
        if not passwords.matches(account.password_hash if account else None, password):
            return "wrong_password"
        if account is not None and passwords.needs_rehash(account.password_hash):
            uow.update_account(account.id, password_hash=passwords.hash_password(password))
        return None

    return attempt(uow, email, client, at, "password", check)


def code_digest(user_id: str, code: str) -> str:
    return challenges.code_digest(config.digest_key(), f"{user_id}:{code}")


def request_code(uow: IdentityUnitOfWork, email: str, channel: str, at: datetime) -> None:
    """A six-digit code to the account's email or phone, replacing any code sent before; nothing
    for an email with no account, no verified address, or no phone for SMS, nor within a minute
    of the last code (the answer is the same)."""
    with uow:
        account = uow.account_by_email(email)
        address = None if account is None else account.email if channel == "email" else account.phone
        if account is None or address is None or account.email_verified_at is None:
            return
        if not due(uow, account.id, "sign_in_code", at):
            return
        code = challenges.new_code()
        expires = at + challenges.CODE_LIFETIME
        uow.delete_challenges(account.id, "sign_in_code")
        uow.add_challenge(code_digest(account.id, code), "sign_in_code", account.id, expires)
        send(
            uow,
            account.id,
            "sign_in_code",
            address,
            account.language,
            account.display_name,
            channel,
            code=code,
            expires_at=expires,
        )
        uow.commit()


def with_code(uow: IdentityUnitOfWork, email: str, code: str, client: str, at: datetime) -> SignIn:
    def check(uow: IdentityUnitOfWork, account: Account | None) -> str | None:
        sent = uow.latest_challenge(account.id, "sign_in_code") if account else None
        if sent is None:
            return "wrong_code"
        digest = code_digest(sent.user_id, code.strip())
        outcome = challenges.check(
            challenges.Challenge(sent.digest, sent.expires_at, sent.tries, sent.used_at), digest, at
        )
        if outcome is Outcome.ACCEPTED:
            uow.answer_challenge(sent.digest, used_at=at)
            return None
        uow.answer_challenge(sent.digest, tries=sent.tries + 1)
        return "wrong_code"

    return attempt(uow, email, client, at, "code", check)


# --- the second factor ---------------------------------------------------------------------------
def second_step(uow: IdentityUnitOfWork, account: Account) -> str | None:
    """What the sign-in asks next: "verify" a code of the person's authenticator, "enroll" one (it
    is required and there is none yet), or nothing."""
    with uow:
        factor = uow.second_factor(account.id)
    if factor is not None and factor.confirmed_at is not None:
        return "verify"
    return "enroll" if account.role in NEEDS_SECOND_FACTOR else None


def begin_enrollment(uow: IdentityUnitOfWork, account: Account) -> str:
    """A new secret for the person's authenticator (replacing one never confirmed): the
    provisioning URI its QR code shows."""
    secret = second_factor.new_secret()
    with uow:
        factor = uow.second_factor(account.id)
        if factor is not None and factor.confirmed_at is not None:
            raise ValueError("a confirmed second factor is replaced only after signing in with it")
        uow.save_second_factor(
            account.id, seal(config.key_encryption_key(), _label(account.id), secret.encode())
        )
        uow.commit()
    return second_factor.provisioning_uri(secret, account.email)


def _label(user_id: str) -> str:
    return f"totp:{user_id}"


def _totp(uow: IdentityUnitOfWork, account: Account, code: str, at: datetime, confirming: bool) -> bool:
    factor = uow.second_factor(account.id)
    if factor is None or (factor.confirmed_at is not None) == confirming:
        return False
    secret = opened(config.key_encryption_key(), _label(account.id), factor.sealed_secret).decode()
    step = second_factor.accepted_step(secret, code, factor.last_step, at)
    if step is None:
        return False
    uow.update_second_factor(account.id, last_step=step, **({"confirmed_at": at} if confirming else {}))
    return True


def confirm_enrollment(
    uow: IdentityUnitOfWork, account: Account, code: str, client: str, at: datetime
) -> list[str] | SignIn:
    """The first right code confirms the authenticator: the recovery codes, shown once."""
    codes = second_factor.new_recovery_codes()

    def check(uow: IdentityUnitOfWork, _: Account | None) -> str | None:
        if not _totp(uow, account, code, at, confirming=True):
            return "wrong_code"
        uow.replace_recovery_codes(account.id, [second_factor.recovery_digest(c) for c in codes])
        return None

    result = attempt(uow, account.email, client, at, "totp enrollment", check)
    return codes if result.account is not None else result


def with_second_factor(
    uow: IdentityUnitOfWork, account: Account, code: str, client: str, at: datetime
) -> SignIn:
    """A code of the authenticator, or one of the recovery codes (each good once)."""

    def check(uow: IdentityUnitOfWork, _: Account | None) -> str | None:
        if _totp(uow, account, code, at, confirming=False):
            return None
        return (
            None
            if uow.use_recovery_code(account.id, second_factor.recovery_digest(code), at)
            else "wrong_code"
        )

    return attempt(uow, account.email, client, at, "totp", check)
