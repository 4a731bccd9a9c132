"""Per-client rate limits shared by every worker: counts per limit, client and minute, unlogged.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counts",
        sa.Column("window", sa.BigInteger(), primary_key=True),
        sa.Column("bucket", sa.Text(), primary_key=True),
        sa.Column("hits", sa.Integer(), nullable=False),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("rate_counts")
