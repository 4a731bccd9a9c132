"""A refund Stripe refused is kept apart for staff: when, and why.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PAID = ("venue_bookings", "orders")


def upgrade() -> None:
    for table in PAID:
        op.add_column(table, sa.Column("refund_refused_at", sa.DateTime(timezone=True)))
        op.add_column(table, sa.Column("refund_refusal", sa.Text()))


def downgrade() -> None:
    for table in PAID:
        op.drop_column(table, "refund_refusal")
        op.drop_column(table, "refund_refused_at")
