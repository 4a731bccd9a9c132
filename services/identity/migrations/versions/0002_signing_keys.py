"""The keys the identity service signs tokens with.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.Text, primary_key=True),
        sa.Column("public_jwk", JSONB, nullable=False),
        sa.Column("sealed_private", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signs_from", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signing_keys_signs_from", "signing_keys", ["signs_from"])


def downgrade() -> None:
    op.drop_table("signing_keys")
