"""A message being sent is leased to its sender, so that the outcome can be written after the
sending, even across a database restart, without another sender taking the message meanwhile.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("leased_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("notifications", "leased_until")
