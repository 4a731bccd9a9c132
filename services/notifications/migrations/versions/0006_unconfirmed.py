"""Each message counts the attempts that may have delivered it although their outcome was never
known (a sender that died before writing it down, a connection cut mid-message).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("unconfirmed", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("notifications", "unconfirmed")
