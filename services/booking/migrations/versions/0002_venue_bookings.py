"""Spaces as venues announce them, venue bookings, idempotency keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key"),
    )
    op.create_table(
        "spaces",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("venue_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "venue_bookings",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("organiser_id", sa.Text(), nullable=False),
        sa.Column("space_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("venue_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("plot_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("plot_code", sa.Text(), nullable=True),
        sa.Column("series_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("expected_attendance", sa.Integer(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("fee_amount", sa.BigInteger(), nullable=False),
        sa.Column("deposit", sa.BigInteger(), nullable=False),
        sa.Column("schedule_entry_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("payment_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_intent_id", sa.Text(), nullable=True),
        sa.Column("refunded_amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("venue_bookings_organiser", "venue_bookings", ["organiser_id", "starts_at"])
    op.create_index("venue_bookings_due", "venue_bookings", ["status", "payment_due_at"])


def downgrade() -> None:
    op.drop_table("venue_bookings")
    op.drop_table("spaces")
    op.drop_table("idempotency_keys")
