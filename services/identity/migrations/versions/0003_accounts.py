"""Accounts, their organisations, consents, challenges, sign-ins, managers' venues; OAuth codes
and refresh tokens.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def _user(primary_key: bool = False, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "user_id",
        sa.Text,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_verified_at", TIME),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("zalo_id", sa.Text),
        sa.Column("opted_out", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("suspended_at", TIME),
        sa.Column("created_at", TIME, nullable=False),
    )
    op.create_index("ix_users_email", "users", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "organisations",
        _user(primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("tax_code", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("contact", sa.Text),
    )
    op.create_table(
        "consents",
        _user(primary_key=True),
        sa.Column("version", sa.Text, primary_key=True),
        sa.Column("accepted_at", TIME, nullable=False),
    )
    op.create_table(
        "challenges",
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("purpose", sa.Text, nullable=False),
        _user(),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("used_at", TIME),
    )
    op.create_index("ix_challenges_user_id", "challenges", ["user_id"])
    op.create_table(
        "sign_ins",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", TIME, nullable=False),
        sa.Column("account", sa.Text, nullable=False),
        _user(nullable=True),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
    )
    for column in ("account", "user_id", "client"):
        op.create_index(f"ix_sign_ins_{column}", "sign_ins", [column])
    op.create_table(
        "second_factors",
        _user(primary_key=True),
        sa.Column("sealed_secret", sa.LargeBinary, nullable=False),
        sa.Column("confirmed_at", TIME),
        sa.Column("last_step", sa.BigInteger),
    )
    op.create_table(
        "recovery_codes",
        _user(primary_key=True),
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("used_at", TIME),
    )
    op.create_table(
        "manager_venues",
        _user(primary_key=True),
        sa.Column("venue_id", sa.Text, primary_key=True),
    )
    op.create_table(
        "authorization_codes",
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        _user(),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("nonce", sa.Text),
        sa.Column("code_challenge", sa.Text, nullable=False),
        sa.Column("code_challenge_method", sa.Text, nullable=False),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("auth_time", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.Text, primary_key=True),
        sa.Column("family", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        _user(),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("auth_time", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("used_at", TIME),
        sa.Column("revoked_at", TIME),
    )
    for column in ("family", "user_id", "session_id"):
        op.create_index(f"ix_refresh_tokens_{column}", "refresh_tokens", [column])


def downgrade() -> None:
    for table in (
        "refresh_tokens",
        "authorization_codes",
        "manager_venues",
        "recovery_codes",
        "second_factors",
        "sign_ins",
        "challenges",
        "consents",
        "organisations",
        "users",
    ):
        op.drop_table(table)
