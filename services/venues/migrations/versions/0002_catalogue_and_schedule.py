"""Venues, spaces, plots and the schedule that refuses overlaps.

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
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")  # trusted: the database owner may create it
    op.create_table(
        "venues",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("area_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lng", sa.Float(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("funding_model", sa.Text(), nullable=False),
        sa.Column("operator", sa.Text(), nullable=False),
        sa.Column("amenities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("photos", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sample_values", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["areas.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "spaces",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("venue_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name_vi", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("layout_kind", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("layout", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("venue_id", "key"),
    )
    op.create_table(
        "venue_managers",
        sa.Column("venue_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
        ),
        sa.PrimaryKeyConstraint("venue_id", "user_id"),
    )
    op.create_table(
        "plots",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("space_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("space_id", "code"),
    )
    op.create_table(
        "schedule_entries",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("space_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("plot_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("venue_booking_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("organiser_id", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at AND blocked_until >= ends_at", name="schedule_entries_times"),
        sa.ForeignKeyConstraint(
            ["plot_id"],
            ["plots.id"],
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("venue_booking_id"),
    )
    # One plot, or the whole space when no plot is named, holds one entry at a time, buffer
    # included; entries that hold no time (conflicted, rejected, released) stand aside.
    op.execute(
        "ALTER TABLE schedule_entries ADD CONSTRAINT schedule_entries_no_overlap EXCLUDE USING gist ("
        " space_id WITH =,"
        " coalesce(plot_id, '00000000-0000-0000-0000-000000000000'::uuid) WITH =,"
        " tstzrange(starts_at, blocked_until) WITH &&"
        ") WHERE (status IN ('held', 'approved', 'confirmed', 'blackout'))"
    )
    op.create_index("schedule_entries_space_time", "schedule_entries", ["space_id", "starts_at"])
    op.create_index("venues_kind_area", "venues", ["kind", "area_id"])


def downgrade() -> None:
    op.drop_table("schedule_entries")
    op.drop_table("plots")
    op.drop_table("venue_managers")
    op.drop_table("spaces")
    op.drop_table("venues")
