"""Event plumbing.

Revision ID: 0001
Revises:
"""

from eventbus.migrations import create_plumbing, drop_plumbing

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_plumbing()


def downgrade() -> None:
    drop_plumbing()
