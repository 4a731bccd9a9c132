"""Events on booked spaces, ticket types, seats, orders, tickets, the waiting list, the area tree.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UUID = sa.UUID(as_uuid=False)
JSONB = postgresql.JSONB(astext_type=sa.Text())
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "areas", sa.Column("id", UUID, primary_key=True), sa.Column("parent_id", UUID, nullable=True)
    )
    op.create_table(
        "events",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("organiser_id", sa.Text(), nullable=False),
        sa.Column("venue_booking_id", UUID, nullable=False),
        sa.Column("space_id", UUID, nullable=False),
        sa.Column("venue_id", UUID, nullable=False),
        sa.Column("area_id", UUID, nullable=False),
        sa.Column("venue_kind", sa.Text(), nullable=False),
        sa.Column("venue_name", JSONB, nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("description", JSONB, nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("images", JSONB, nullable=False),
        sa.Column("sessions", JSONB, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("per_buyer_limit", sa.Integer(), nullable=False),
        sa.Column("hold_minutes", sa.Integer(), nullable=False),
        sa.Column("refund_policy", JSONB, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("events_listed", "events", ["status", "starts_at"])
    op.create_table(
        "ticket_types",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", JSONB, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("seat_category", sa.Text(), nullable=True),
        sa.Column("per_order_limit", sa.Integer(), nullable=False),
        sa.Column("sale_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sale_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("taken >= 0 AND taken <= quota", name="ticket_types_within_quota"),
    )
    op.create_index("ix_ticket_types_event_id", "ticket_types", ["event_id"])
    op.create_table(
        "seats",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("ticket_type_id", UUID, nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("order_id", UUID, nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sold", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_index("seats_of_event", "seats", ["event_id", "position"])
    op.create_index("seats_of_order", "seats", ["order_id"])
    op.create_table(
        "orders",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("buyer_id", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("buyer_key", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seat_ids", JSONB, nullable=False),
        sa.Column("waiting_entry_id", UUID, nullable=True),
        sa.Column("payment_intent_id", sa.Text(), nullable=True),
        sa.Column("paid_amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("refund_due", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("orders_of_buyer", "orders", ["event_id", "buyer_key"])
    op.create_index("orders_due", "orders", ["status", "expires_at"])
    op.create_table(
        "order_items",
        sa.Column("order_id", UUID, primary_key=True),
        sa.Column("ticket_type_id", UUID, primary_key=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
    )
    op.create_index("order_items_of_type", "order_items", ["ticket_type_id"])
    op.create_table(
        "tickets",
        sa.Column("code", sa.Text(), primary_key=True),
        sa.Column("order_id", UUID, nullable=False),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("ticket_type_id", UUID, nullable=False),
        sa.Column("seat_id", UUID, nullable=True),
        sa.Column("seat_label", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by", sa.Text(), nullable=True),
        sa.Column("checked_in_gate", sa.Text(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_tickets_order_id", "tickets", ["order_id"])
    op.create_index(
        "tickets_one_per_seat",
        "tickets",
        ["seat_id"],
        unique=True,
        postgresql_where=sa.text("status = 'valid' AND seat_id IS NOT NULL"),
    )
    op.create_table(
        "waiting_list",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("ticket_type_id", UUID, nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("order_id", UUID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("waiting_in_order", "waiting_list", ["ticket_type_id", "status", "created_at"])


def downgrade() -> None:
    for table in (
        "waiting_list",
        "tickets",
        "order_items",
        "orders",
        "seats",
        "ticket_types",
        "events",
        "areas",
    ):
        op.drop_table(table)
