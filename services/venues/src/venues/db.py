"""Tables of the venues database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)

areas = sa.Table(
    "areas",
    metadata,
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

venues = sa.Table(
    "venues",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("key", sa.Text, unique=True),
    sa.Column("name_vi", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("area_id", UUID(as_uuid=False), sa.ForeignKey("areas.id"), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("lat", sa.Float),
    sa.Column("lng", sa.Float),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("funding_model", sa.Text, nullable=False),
    sa.Column("operator", sa.Text, nullable=False),
    sa.Column("amenities", JSONB, nullable=False),
    sa.Column("photos", JSONB, nullable=False),
    sa.Column("sample_values", sa.Boolean, nullable=False),
    sa.Index("venues_kind_area", "kind", "area_id"),
)

# Who manages which venue, as the identity service says (`identity.manager.*`): a read model. No
# foreign key: identity may name a venue before this service has it, and its word stands.
venue_managers = sa.Table(
    "venue_managers",
    metadata,
    sa.Column("venue_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("user_id", sa.Text, primary_key=True),
)

spaces = sa.Table(
    "spaces",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("venue_id", UUID(as_uuid=False), sa.ForeignKey("venues.id"), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("name_vi", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("layout_kind", sa.Text, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("layout", JSONB, nullable=False),
    sa.Column("rules", JSONB, nullable=False),
    sa.UniqueConstraint("venue_id", "key"),
)

plots = sa.Table(
    "plots",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("space_id", UUID(as_uuid=False), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.UniqueConstraint("space_id", "code"),
)

# What stands on a space's calendar. Entries that still hold their time may never overlap,
# buffer included: the database refuses it, whatever the application checked before.

schedule_entries = sa.Table(
    "schedule_entries",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("space_id", UUID(as_uuid=False), sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("plot_id", UUID(as_uuid=False), sa.ForeignKey("plots.id")),
    sa.Column("venue_booking_id", UUID(as_uuid=False), unique=True),
    sa.Column("organiser_id", sa.Text),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("decided_by", sa.Text),
    sa.CheckConstraint("ends_at > starts_at AND blocked_until >= ends_at", name="schedule_entries_times"),
    sa.Index("schedule_entries_space_time", "space_id", "starts_at"),
)
