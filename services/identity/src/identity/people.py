"""Use cases of what people change: one's own profile, data and account; staff's grants of roles
and venues, and suspensions. Each change is an `identity.*` event the other services follow."""

from datetime import datetime
from typing import Any

from identity.account import Account
from identity.signin import account_key
from identity.unit_of_work import IdentityUnitOfWork


class NotFound(LookupError):
    pass


class Conflict(Exception):
    pass


def _account(uow: IdentityUnitOfWork, user_id: str) -> Account:
    account = uow.account(user_id)
    if account is None:
        raise NotFound(user_id)
    return account


def _changed(uow: IdentityUnitOfWork, user_id: str, change: str) -> Account:
    account = _account(uow, user_id)
    uow.publish(f"identity.user.{change}", account.id, account.event_data())
    return account


def shown(account: Account) -> dict[str, Any]:
    return account.event_data() | {"venues": list(account.venues), "created_at": account.created_at}


def read(uow: IdentityUnitOfWork, user_id: str) -> dict[str, Any]:
    with uow:
        return shown(_account(uow, user_id))


def update_profile(uow: IdentityUnitOfWork, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    with uow:
        _account(uow, user_id)
        if body:
            uow.update_account(user_id, **body)
        account = _changed(uow, user_id, "profile_changed") if body else _account(uow, user_id)
        uow.commit()
    return shown(account)


def set_role(uow: IdentityUnitOfWork, user_id: str, role: str) -> dict[str, Any]:
    """Staff grant a role (it is in the next token, at the latest when the one held expires); a
    manager no longer a manager is unassigned from their venues."""
    with uow:
        account = _account(uow, user_id)
        if role != "venue_manager":
            for venue_id in account.venues:
                uow.unassign(user_id, venue_id)
                uow.publish(
                    "identity.manager.unassigned", user_id, {"user_id": user_id, "venue_id": venue_id}
                )
        uow.update_account(user_id, role=role)
        account = _changed(uow, user_id, "profile_changed")
        uow.commit()
    return shown(account)


def assign(uow: IdentityUnitOfWork, user_id: str, venue_id: str, assigned: bool) -> dict[str, Any]:
    """A venue manager assigned to a venue, or unassigned; doing it twice changes nothing more."""
    with uow:
        uow.lock(f"manager:{user_id}")
        account = _account(uow, user_id)
        if account.role != "venue_manager":
            raise Conflict("Only a venue manager is assigned to venues: grant the role venue_manager first.")
        if assigned != (venue_id in account.venues):
            (uow.assign if assigned else uow.unassign)(user_id, venue_id)
            kind = "assigned" if assigned else "unassigned"
            uow.publish(f"identity.manager.{kind}", user_id, {"user_id": user_id, "venue_id": venue_id})
        account = _account(uow, user_id)
        uow.commit()
    return shown(account)


def suspend(uow: IdentityUnitOfWork, user_id: str, at: datetime) -> dict[str, Any]:
    """No new token for the account: its refresh tokens are revoked, and the access tokens it holds
    run out within their ten minutes."""
    with uow:
        if _account(uow, user_id).suspended_at is None:
            uow.update_account(user_id, suspended_at=at)
            uow.revoke_refresh_tokens(at, "user_id", user_id)
            _changed(uow, user_id, "suspended")
        account = _account(uow, user_id)
        uow.commit()
    return shown(account)


def own_data(uow: IdentityUnitOfWork, user_id: str) -> dict[str, Any]:
    """Everything the identity service holds of a person (Decree 13/2023/NĐ-CP, the right to
    one's data): the account, consents, second factor (whether, not its secret) and sign-ins."""
    with uow:
        account = _account(uow, user_id)
        return {
            "account": shown(account),
            "consents": uow.consents(user_id),
            "second_factor": uow.second_factor(user_id) is not None,
            "sign_ins": uow.sign_ins(user_id, 0, 10_000),
        }


def erase(uow: IdentityUnitOfWork, user_id: str) -> None:
    """The account goes with all it holds; `identity.user.erased` asks every service to erase or
    anonymise what they hold of the person, by id and by address."""
    with uow:
        account = _account(uow, user_id)
        phones = [account.phone] if account.phone else []
        uow.publish(
            "identity.user.erased", user_id, {"user_id": user_id, "emails": [account.email], "phones": phones}
        )
        uow.delete_account(user_id)
        uow.forget_attempts(account_key(account.email))  # those that named the email with a wrong password
        uow.commit()
