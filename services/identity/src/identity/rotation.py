"""Keeps the signing keys current: the first key made at once, the next one AHEAD of its turn."""

from datetime import UTC, datetime, timedelta

from eventbus.runtime import Runtime
from identity.config import jwks_max_age, rotation
from identity.keys import SigningKey, new_key, next_key_due, published
from identity.unit_of_work import IdentityUnitOfWork


def now() -> datetime:
    return datetime.now(UTC)


def ahead() -> timedelta:
    """A new key is published this long before it signs: the longest a service keeps a key set."""
    return timedelta(seconds=jwks_max_age())


def published_keys(runtime: Runtime, at: datetime) -> list[SigningKey]:
    with IdentityUnitOfWork(runtime) as uow:
        return published(uow.signing_keys(), at, ahead())


def rotate(runtime: Runtime, kek: bytes, at: datetime) -> SigningKey | None:
    """The key made (sealed with `kek`), if one was due; one maker at a time, whatever the
    number of workers."""
    with IdentityUnitOfWork(runtime) as uow:
        uow.lock("identity: signing keys")
        signs_from = next_key_due(uow.signing_keys(), at, rotation(), ahead())
        if signs_from is None:
            return None
        key = new_key(kek, at, signs_from)
        uow.add_key(key)
        uow.commit()
        return key
