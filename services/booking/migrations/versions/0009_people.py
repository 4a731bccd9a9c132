"""The people the identity service knows (their proved email, for their guest orders); the orders of
an account and of a guest's email found by index; no copy of who manages a space.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("user_id", sa.Text(), primary_key=True),
        sa.Column("verified_email", sa.Text()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("orders_of_account", "orders", ["buyer_id", "created_at"])
    op.create_index(
        "orders_of_guest", "orders", [sa.text("lower(email)")], postgresql_where=sa.text("buyer_id IS NULL")
    )
    op.execute("UPDATE spaces SET snapshot = snapshot - 'managers'")


def downgrade() -> None:
    # the managers left out are not known here: venues announces them with each space it publishes
    op.execute("UPDATE spaces SET snapshot = snapshot || '{\"managers\": []}'")
    op.drop_index("orders_of_guest", "orders")
    op.drop_index("orders_of_account", "orders")
    op.drop_table("people")
