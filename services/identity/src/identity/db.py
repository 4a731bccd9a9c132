"""Tables of the identity database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)

# Each key is published from `created_at`, signs from `signs_from`, and is published until the
# tokens it signed have expired (identity.keys decides from these two times alone).
signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.Text, primary_key=True),
    sa.Column("public_jwk", JSONB, nullable=False),
    sa.Column("sealed_private", sa.LargeBinary, nullable=False),  # AES-GCM under the key-encryption secret
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("signs_from", sa.DateTime(timezone=True), nullable=False, index=True),
)

# A person's account. The email is kept as typed but unique without regard to case; `role` is the
# one a token carries: buyer (anyone), organiser, venue_manager or staff.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("email_verified_at", sa.DateTime(timezone=True)),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("zalo_id", sa.Text),
    sa.Column("opted_out", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("suspended_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_users_email", sa.func.lower(sa.text("email")), unique=True),
)


def _user() -> sa.ForeignKey:
    return sa.ForeignKey("users.id", ondelete="CASCADE")


organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("tax_code", sa.Text),
    sa.Column("address", sa.Text),
    sa.Column("contact", sa.Text),
)

# Each version of the privacy notice a person accepted, and when (Decree 13/2023/NĐ-CP).
consents = sa.Table(
    "consents",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("version", sa.Text, primary_key=True),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
)

# Links and codes sent to prove an address: only their digests.
challenges = sa.Table(
    "challenges",
    metadata,
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, _user(), nullable=False, index=True),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

# When each kind of message was last sent to an account: what an anonymous request has the
# provider send (a link, a code, "you have an account") goes at most once a minute, so that nobody
# fills someone's inbox or phone by asking again and again.
notices = sa.Table(
    "notices",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("purpose", sa.Text, primary_key=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
)

# Every sign-in attempt: the audit log its owner and staff read, and what lockout counts. `account`
# is a keyed digest of the email tried, so that an email with no account is slowed down and locked
# exactly as one with an account is (the answers must not tell them apart).
sign_ins = sa.Table(
    "sign_ins",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("account", sa.Text, nullable=False, index=True),
    sa.Column("user_id", sa.Text, _user(), index=True),
    sa.Column("client", sa.Text, nullable=False, index=True),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
)

# The second factor: a TOTP secret, sealed like the signing keys; confirmed once its first code
# was right; `last_step` the time step of the last code accepted (none is accepted twice).
second_factors = sa.Table(
    "second_factors",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("sealed_secret", sa.LargeBinary, nullable=False),
    sa.Column("confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("last_step", sa.BigInteger),
)

recovery_codes = sa.Table(
    "recovery_codes",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

manager_venues = sa.Table(
    "manager_venues",
    metadata,
    sa.Column("user_id", sa.Text, _user(), primary_key=True),
    sa.Column("venue_id", sa.Text, primary_key=True),
)

# OAuth 2.0: authorization codes until their one exchange, refresh tokens by family (each use
# issues the next of the family; a used one presented again revokes the whole family).
authorization_codes = sa.Table(
    "authorization_codes",
    metadata,
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, _user(), nullable=False),
    sa.Column("redirect_uri", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("nonce", sa.Text),
    sa.Column("code_challenge", sa.Text, nullable=False),
    sa.Column("code_challenge_method", sa.Text, nullable=False),
    sa.Column("session_id", sa.Text, nullable=False),  # the sign-in at the provider
    sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("digest", sa.Text, primary_key=True),
    sa.Column("family", sa.Text, nullable=False, index=True),
    sa.Column("client_id", sa.Text, nullable=False),
    sa.Column("user_id", sa.Text, _user(), nullable=False, index=True),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("session_id", sa.Text, nullable=False, index=True),  # the sign-in at the provider
    sa.Column("auth_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
