"""Tables of the venues database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

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
