"""The identity unit of work: the shared transaction plus this service's repositories."""

import sqlalchemy as sa

from eventbus.runtime import UnitOfWork
from identity import db
from identity.keys import SigningKey


class IdentityUnitOfWork(UnitOfWork):
    def signing_keys(self) -> list[SigningKey]:
        rows = self.conn.execute(sa.select(db.signing_keys).order_by(db.signing_keys.c.signs_from))
        return [SigningKey(r.kid, r.public_jwk, r.sealed_private, r.created_at, r.signs_from) for r in rows]

    def add_key(self, key: SigningKey) -> None:
        self.conn.execute(
            db.signing_keys.insert().values(
                kid=key.kid,
                public_jwk=key.public_jwk,
                sealed_private=key.sealed_private,
                created_at=key.created_at,
                signs_from=key.signs_from,
            )
        )
