"""Who manages a venue is the identity service's to say: venue_managers becomes a read model of
`identity.manager.*`, which may name a venue this service does not have yet.

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
    op.drop_constraint("venue_managers_venue_id_fkey", "venue_managers", type_="foreignkey")


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM venue_managers WHERE venue_id NOT IN (SELECT id FROM venues)"))
    op.create_foreign_key("venue_managers_venue_id_fkey", "venue_managers", "venues", ["venue_id"], ["id"])
