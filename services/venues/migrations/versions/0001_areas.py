"""Event plumbing and areas.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from eventbus.migrations import create_plumbing, drop_plumbing

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing()
    op.create_table(
        "areas",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("parent_id", UUID(as_uuid=False), sa.ForeignKey("areas.id")),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("name_vi", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("code", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint(
            "parent_id", "name_vi", name="areas_sibling_name", postgresql_nulls_not_distinct=True
        ),
    )


def downgrade() -> None:
    op.drop_table("areas")
    drop_plumbing()
