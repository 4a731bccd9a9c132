"""The identity unit of work: the shared transaction plus this service's repositories."""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from eventbus.runtime import UnitOfWork
from identity import db
from identity.account import Account
from identity.keys import SigningKey


class IdentityUnitOfWork(UnitOfWork):
    # --- signing keys ---------------------------------------------------------------------------
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

    # --- accounts -------------------------------------------------------------------------------
    def account(self, user_id: str) -> Account | None:
        return self._account(db.users.c.id == user_id)

    def account_by_email(self, email: str) -> Account | None:
        return self._account(sa.func.lower(db.users.c.email) == email.lower())

    def _account(self, where: Any) -> Account | None:
        user = self.conn.execute(sa.select(db.users).where(where)).first()
        if user is None:
            return None
        organisation = self.conn.execute(
            sa.select(db.organisations).where(db.organisations.c.user_id == user.id)
        ).first()
        venues = self.conn.scalars(
            sa.select(db.manager_venues.c.venue_id)
            .where(db.manager_venues.c.user_id == user.id)
            .order_by(db.manager_venues.c.venue_id)
        ).all()
        fields = dict(user._mapping)
        org = {k: v for k, v in organisation._mapping.items() if k != "user_id"} if organisation else None
        return Account(**fields, organisation=org, venues=tuple(venues))

    def add_account(self, account: Account, consent: str) -> None:
        values = {c.name: getattr(account, c.name) for c in db.users.c}
        self.conn.execute(db.users.insert().values(values))
        self.add_details(account.id, account, consent)

    def add_details(self, user_id: str, account: Account, consent: str) -> None:
        if account.organisation is not None:
            self.conn.execute(db.organisations.insert().values(user_id=user_id, **account.organisation))
        self.conn.execute(
            db.consents.insert().values(user_id=user_id, version=consent, accepted_at=account.created_at)
        )

    def replace_unverified(self, user_id: str, account: Account, consent: str) -> None:
        kept = ("id", "email", "created_at")
        values = {c.name: getattr(account, c.name) for c in db.users.c if c.name not in kept}
        self.conn.execute(db.users.update().where(db.users.c.id == user_id).values(values))
        for table in (db.organisations, db.consents):
            self.conn.execute(table.delete().where(table.c.user_id == user_id))
        self.add_details(user_id, account, consent)

    def update_account(self, user_id: str, **fields: Any) -> None:
        self.conn.execute(db.users.update().where(db.users.c.id == user_id).values(**fields))

    # --- challenges -----------------------------------------------------------------------------
    def add_challenge(self, digest: str, purpose: str, user_id: str, expires_at: datetime) -> None:
        self.conn.execute(
            db.challenges.insert().values(
                digest=digest, purpose=purpose, user_id=user_id, expires_at=expires_at
            )
        )

    def challenge(self, digest: str, purpose: str) -> Any:
        """The challenge, locked until this transaction ends (one answer counts at a time)."""
        c = db.challenges.c
        return self.conn.execute(
            sa.select(db.challenges).where(c.digest == digest, c.purpose == purpose).with_for_update()
        ).first()

    def answer_challenge(self, digest: str, **fields: Any) -> None:
        self.conn.execute(db.challenges.update().where(db.challenges.c.digest == digest).values(**fields))

    # --- sign-ins -------------------------------------------------------------------------------
    def record_sign_in(self, **attempt: Any) -> None:
        self.conn.execute(db.sign_ins.insert().values(**attempt))

    def failures(
        self,
        since: datetime,
        outcomes: tuple[str, ...],
        account: str | None = None,
        client: str | None = None,
    ) -> list[datetime]:
        c = db.sign_ins.c
        whose = c.account == account if account is not None else c.client == client
        return list(self.conn.scalars(sa.select(c.at).where(whose, c.at > since, c.outcome.in_(outcomes))))

    def claim_notice(self, user_id: str, purpose: str, at: datetime, every: timedelta) -> bool:
        """Whether a message of `purpose` may go to the account at `at` (none went within `every`),
        recorded as sent if so; two workers asking at once get one yes between them."""
        t = db.notices
        claim = insert(t).values(user_id=user_id, purpose=purpose, sent_at=at)
        claim = claim.on_conflict_do_update(
            index_elements=[t.c.user_id, t.c.purpose],
            set_={"sent_at": claim.excluded.sent_at},
            where=t.c.sent_at <= claim.excluded.sent_at - every,
        )
        return self.conn.execute(claim.returning(t.c.user_id)).first() is not None

    def latest_challenge(self, user_id: str, purpose: str) -> Any:
        c = db.challenges.c
        query = sa.select(db.challenges).where(c.user_id == user_id, c.purpose == purpose)
        return self.conn.execute(query.order_by(c.expires_at.desc()).limit(1).with_for_update()).first()

    def delete_challenges(self, user_id: str, purpose: str) -> None:
        c = db.challenges.c
        self.conn.execute(db.challenges.delete().where(c.user_id == user_id, c.purpose == purpose))

    # --- the second factor ----------------------------------------------------------------------
    def second_factor(self, user_id: str) -> Any:
        t = db.second_factors
        return self.conn.execute(sa.select(t).where(t.c.user_id == user_id).with_for_update()).first()

    def save_second_factor(self, user_id: str, sealed_secret: bytes) -> None:
        t = db.second_factors
        self.conn.execute(t.delete().where(t.c.user_id == user_id))
        self.conn.execute(t.insert().values(user_id=user_id, sealed_secret=sealed_secret))

    def update_second_factor(self, user_id: str, **fields: Any) -> None:
        t = db.second_factors
        self.conn.execute(t.update().where(t.c.user_id == user_id).values(**fields))

    def replace_recovery_codes(self, user_id: str, digests: list[str]) -> None:
        t = db.recovery_codes
        self.conn.execute(t.delete().where(t.c.user_id == user_id))
        self.conn.execute(t.insert(), [{"user_id": user_id, "digest": d} for d in digests])

    def use_recovery_code(self, user_id: str, digest: str, at: datetime) -> bool:
        t = db.recovery_codes
        used = t.update().where(t.c.user_id == user_id, t.c.digest == digest, t.c.used_at.is_(None))
        return self.conn.execute(used.values(used_at=at)).rowcount == 1

    # --- OAuth codes and refresh tokens ---------------------------------------------------------
    def add_code(self, **code: Any) -> None:
        self.conn.execute(db.authorization_codes.insert().values(**code))

    def code(self, digest: str, client_id: str, at: datetime) -> Any:
        """An unexpired code, locked: of two exchanges at once, the second finds it gone."""
        c = db.authorization_codes.c
        query = sa.select(db.authorization_codes).where(
            c.digest == digest, c.client_id == client_id, c.expires_at > at
        )
        return self.conn.execute(query.with_for_update()).first()

    def delete_code(self, digest: str) -> None:
        self.conn.execute(db.authorization_codes.delete().where(db.authorization_codes.c.digest == digest))

    def nonce_pending(self, client_id: str, nonce: str) -> bool:
        c = db.authorization_codes.c
        return (
            self.conn.execute(sa.select(c.digest).where(c.client_id == client_id, c.nonce == nonce)).first()
            is not None
        )

    def add_refresh_token(self, **token: Any) -> None:
        self.conn.execute(db.refresh_tokens.insert().values(**token))

    def refresh_token(self, digest: str) -> Any:
        """The token, locked: of two uses at once, the second finds it used."""
        query = sa.select(db.refresh_tokens).where(db.refresh_tokens.c.digest == digest)
        return self.conn.execute(query.with_for_update()).first()

    def use_refresh_token(self, digest: str, at: datetime) -> None:
        t = db.refresh_tokens
        self.conn.execute(t.update().where(t.c.digest == digest).values(used_at=at))

    def revoke_refresh_tokens(self, at: datetime, by: str, value: str) -> None:
        """Every refresh token not yet revoked whose column `by` (family, session_id, user_id) is `value`."""
        t = db.refresh_tokens
        self.conn.execute(t.update().where(t.c[by] == value, t.c.revoked_at.is_(None)).values(revoked_at=at))

    # --- people ---------------------------------------------------------------------------------
    def assign(self, user_id: str, venue_id: str) -> None:
        self.conn.execute(db.manager_venues.insert().values(user_id=user_id, venue_id=venue_id))

    def unassign(self, user_id: str, venue_id: str) -> None:
        t = db.manager_venues
        self.conn.execute(t.delete().where(t.c.user_id == user_id, t.c.venue_id == venue_id))

    def consents(self, user_id: str) -> list[dict[str, Any]]:
        t = db.consents
        rows = self.conn.execute(sa.select(t.c.version, t.c.accepted_at).where(t.c.user_id == user_id))
        return [dict(r._mapping) for r in rows]

    def sign_ins(self, user_id: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        t = db.sign_ins
        query = sa.select(t.c.at, t.c.client, t.c.method, t.c.outcome).where(t.c.user_id == user_id)
        rows = self.conn.execute(query.order_by(t.c.at.desc(), t.c.id.desc()).offset(offset).limit(limit))
        return [dict(r._mapping) for r in rows]

    def delete_account(self, user_id: str) -> None:
        """With everything that refers to it (the tables' foreign keys cascade)."""
        self.conn.execute(db.users.delete().where(db.users.c.id == user_id))

    def forget_attempts(self, account: str) -> None:
        self.conn.execute(db.sign_ins.delete().where(db.sign_ins.c.account == account))
