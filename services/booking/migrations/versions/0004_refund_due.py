"""What a booking owes back, apart from what Stripe has refunded: the state change commits first,
the refund follows and is retried until it goes through.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "venue_bookings", sa.Column("refund_due", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.execute("UPDATE venue_bookings SET refund_due = refunded_amount")


def downgrade() -> None:
    op.drop_column("venue_bookings", "refund_due")
