"""What was paid, apart from what was refunded: a webhook repeated after a cancellation must not
mistake a paid booking for a late payment.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "venue_bookings", sa.Column("paid_amount", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("venue_bookings", "paid_amount")
