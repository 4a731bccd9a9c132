"""The sweeper looks for orders that owe a refund every few seconds: an index of only those.

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
    op.create_index(
        "orders_owing_refunds", "orders", ["id"], postgresql_where=sa.text("refund_due > refunded_amount")
    )


def downgrade() -> None:
    op.drop_index("orders_owing_refunds", "orders")
