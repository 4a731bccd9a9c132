"""More channels: phone and Zalo id on contacts, organisers' webhooks, the channel in a message's
once-only key (one event may reach one person by email and by SMS, each once).

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
    op.add_column("contacts", sa.Column("phone", sa.Text(), nullable=True))
    op.add_column("contacts", sa.Column("zalo_id", sa.Text(), nullable=True))
    op.add_column("notifications", sa.Column("attachment", sa.Text(), nullable=True))
    op.drop_constraint("notifications_once", "notifications")
    op.create_unique_constraint(
        "notifications_once", "notifications", ["event_id", "recipient", "template", "channel", "address"]
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.UUID(as_uuid=False), primary_key=True),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("webhooks_of", "webhooks", ["recipient"])


def downgrade() -> None:
    op.drop_table("webhooks")
    op.drop_constraint("notifications_once", "notifications")
    op.create_unique_constraint("notifications_once", "notifications", ["event_id", "recipient", "template"])
    op.drop_column("notifications", "attachment")
    op.drop_column("contacts", "zalo_id")
    op.drop_column("contacts", "phone")
