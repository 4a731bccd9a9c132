"""Use cases of accounts: sign-up, email verification, password reset. The answers to the public
never tell whether an email is registered: they are alike, and the address itself is told what it
needs (a link to verify, a link to reset, or that it already has an account)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from identity.account import Account
from identity.domain import challenges, passwords
from identity.domain.challenges import Outcome
from identity.unit_of_work import IdentityUnitOfWork

NOTICE_EVERY = timedelta(minutes=1)  # the least time between two messages of one kind to one account


def now() -> datetime:
    return datetime.now(UTC)


def due(uow: IdentityUnitOfWork, user_id: str, purpose: str, at: datetime) -> bool:
    """Whether what an anonymous request asks to send the account (`purpose`) goes now: at most one
    of each kind a minute, whoever asks how often; the answer to the request stays the same."""
    return uow.claim_notice(user_id, purpose, at, NOTICE_EVERY)


def sign_up(uow: IdentityUnitOfWork, body: dict[str, Any], at: datetime) -> None:
    """A new unverified account and a link to verify its email. An email registered but never
    verified takes the details of this sign-up, and a new link in place of the old: whoever signed
    up before with someone else's address loses the account to its owner. A verified email is told
    it has an account, and nothing else changes. Neither link nor notice goes twice a minute (the
    link sent last still proves the address)."""
    password_hash = passwords.hash_password(body["password"])  # either way: the time says nothing
    organisation = body["organisation"]
    account = Account(
        id=str(uuid.uuid4()),
        email=body["email"],
        email_verified_at=None,
        password_hash=password_hash,
        display_name=body["display_name"],
        language=body["language"],
        phone=body["phone"],
        zalo_id=None,
        opted_out=[],
        role="organiser" if organisation else "buyer",
        suspended_at=None,
        created_at=at,
        organisation=organisation,
    )
    with uow:
        uow.lock(f"email:{account.email.lower()}")  # two sign-ups of one address, one after the other
        existing = uow.account_by_email(account.email)
        if existing is not None and existing.email_verified_at is not None:
            if due(uow, existing.id, "already_registered", at):
                send(
                    uow,
                    existing.id,
                    "already_registered",
                    existing.email,
                    existing.language,
                    existing.display_name,
                )
        elif existing is not None:  # the latest sign-up is the one its link proves
            uow.replace_unverified(existing.id, account, body["privacy_notice"])
            renewed = uow.account(existing.id)
            assert renewed is not None
            uow.publish("identity.user.profile_changed", renewed.id, renewed.event_data())
            if due(uow, renewed.id, "verify_email", at):
                verify_link(uow, renewed, at)
        else:
            uow.add_account(account, body["privacy_notice"])
            uow.publish("identity.user.registered", account.id, account.event_data())
            due(uow, account.id, "verify_email", at)  # its first: the next within the minute waits
            verify_link(uow, account, at)
        uow.commit()


def verify_link(uow: IdentityUnitOfWork, account: Account, at: datetime) -> None:
    """A link that proves the account's address, in place of any sent before."""
    token = challenges.new_link_token()
    expires = at + challenges.VERIFY_LINK_LIFETIME
    uow.delete_challenges(account.id, "verify_email")
    uow.add_challenge(challenges.link_digest(token), "verify_email", account.id, expires)
    url = f"{uow.runtime.settings.issuer}/verify-email?token={token}"
    send(
        uow,
        account.id,
        "verify_email",
        account.email,
        account.language,
        account.display_name,
        url=url,
        expires_at=expires,
    )


def send(
    uow: IdentityUnitOfWork,
    user_id: str,
    purpose: str,
    address: str,
    language: str,
    name: str | None,
    channel: str = "email",
    url: str | None = None,
    code: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    uow.publish(
        "identity.challenge.issued",
        user_id,
        {
            "purpose": purpose,
            "channel": channel,
            "address": address,
            "language": language,
            "display_name": name,
            "url": url,
            "code": code,
            "expires_at": expires_at,
        },
    )


def verify_email(uow: IdentityUnitOfWork, token: str, at: datetime) -> Outcome:
    """The link's token proves the address: the account's email is verified, once."""
    with uow:
        digest = challenges.link_digest(token)
        found = uow.challenge(digest, "verify_email")
        if found is None:
            return Outcome.WRONG
        outcome = challenges.check(
            challenges.Challenge(digest, found.expires_at, 0, found.used_at), digest, at
        )
        if outcome is Outcome.ACCEPTED:
            uow.answer_challenge(digest, used_at=at)
            uow.update_account(found.user_id, email_verified_at=at)
            account = uow.account(found.user_id)
            assert account is not None  # a challenge goes with its account
            uow.publish("identity.user.verified", account.id, account.event_data())
            uow.commit()
        return outcome


def request_reset(uow: IdentityUnitOfWork, email: str, at: datetime) -> None:
    """A link to choose a new password, to an account's address; for an address with no account,
    or within a minute of the last link, nothing (the answer is the same)."""
    with uow:
        account = uow.account_by_email(email)
        if (
            account is None
            or account.suspended_at is not None
            or not due(uow, account.id, "reset_password", at)
        ):
            return
        token = challenges.new_link_token()
        expires = at + challenges.RESET_LINK_LIFETIME
        uow.add_challenge(challenges.link_digest(token), "reset_password", account.id, expires)
        url = f"{uow.runtime.settings.issuer}/reset-password?token={token}"
        send(
            uow,
            account.id,
            "reset_password",
            account.email,
            account.language,
            account.display_name,
            url=url,
            expires_at=expires,
        )
        uow.commit()


def reset_password(uow: IdentityUnitOfWork, token: str, password: str, at: datetime) -> Outcome | list[str]:
    """The new password, if the link is good and the password will do (else what is wrong with it,
    and the link stays good). Every refresh token of the account is revoked: whoever knew the old
    password signs in again; the address is proven, so the email counts as verified."""
    with uow:
        digest = challenges.link_digest(token)
        found = uow.challenge(digest, "reset_password")
        if found is None:
            return Outcome.WRONG
        outcome = challenges.check(
            challenges.Challenge(digest, found.expires_at, 0, found.used_at), digest, at
        )
        if outcome is not Outcome.ACCEPTED:
            return outcome
        account = uow.account(found.user_id)
        assert account is not None  # a challenge goes with its account
        problems = passwords.problems(password, account.email)
        if problems:
            return problems
        uow.answer_challenge(digest, used_at=at)
        uow.update_account(account.id, password_hash=passwords.hash_password(password))
        uow.revoke_refresh_tokens(at, "user_id", account.id)
        if account.email_verified_at is None:
            uow.update_account(account.id, email_verified_at=at)
            verified = uow.account(account.id)
            assert verified is not None
            uow.publish("identity.user.verified", account.id, verified.event_data())
        uow.commit()
        return Outcome.ACCEPTED
