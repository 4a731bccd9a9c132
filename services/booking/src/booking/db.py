"""Tables of the booking database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from eventbus.ratelimit import rate_counts_table
from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)
rate_counts = rate_counts_table(metadata)


def refusal_columns() -> list[sa.Column[object]]:
    """A refund Stripe refused (a charge disputed or refunded elsewhere): when, and Stripe's words.
    It is not asked for again; staff see it and settle it by hand."""
    return [sa.Column("refund_refused_at", sa.DateTime(timezone=True)), sa.Column("refund_refusal", sa.Text)]


# What venues announced of each space (but its managers: the door goes by the token's venues);
# booking never reads the venues database.
spaces = sa.Table(
    "spaces",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("venue_id", UUID(as_uuid=False), nullable=False),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
)

venue_bookings = sa.Table(
    "venue_bookings",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("organiser_id", sa.Text, nullable=False),
    sa.Column("space_id", UUID(as_uuid=False), nullable=False),
    sa.Column("venue_id", UUID(as_uuid=False), nullable=False),
    sa.Column("plot_id", UUID(as_uuid=False)),
    sa.Column("plot_code", sa.Text),
    sa.Column("series_id", UUID(as_uuid=False)),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("expected_attendance", sa.Integer, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("fee_amount", sa.BigInteger, nullable=False),
    sa.Column("deposit", sa.BigInteger, nullable=False),
    sa.Column("schedule_entry_id", UUID(as_uuid=False)),
    sa.Column("payment_due_at", sa.DateTime(timezone=True)),
    sa.Column("payment_intent_id", sa.Text),
    sa.Column("paid_amount", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refund_due", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refunded_amount", sa.BigInteger, nullable=False, server_default="0"),
    *refusal_columns(),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index("venue_bookings_organiser", "organiser_id", "starts_at"),
    sa.Index("venue_bookings_due", "status", "payment_due_at"),
)

# A POST repeated with the same Idempotency-Key answers what the first one did, and does nothing.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
)

# --- tickets ---------------------------------------------------------------------------------------
# The area tree as venues announced it, so that a search by province finds events in its wards.
areas = sa.Table(
    "areas",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("parent_id", UUID(as_uuid=False)),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("organiser_id", sa.Text, nullable=False),
    sa.Column("venue_booking_id", UUID(as_uuid=False), nullable=False),
    sa.Column("space_id", UUID(as_uuid=False), nullable=False),
    sa.Column("venue_id", UUID(as_uuid=False), nullable=False),
    sa.Column("area_id", UUID(as_uuid=False), nullable=False),
    sa.Column("venue_kind", sa.Text, nullable=False),
    sa.Column("venue_name", JSONB, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("description", JSONB, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("images", JSONB, nullable=False),
    sa.Column("sessions", JSONB, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("per_buyer_limit", sa.Integer, nullable=False),
    sa.Column("hold_minutes", sa.Integer, nullable=False),
    sa.Column("refund_policy", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index("events_listed", "status", "starts_at"),
)

# `taken` counts what holds and paid orders have of a quota; the CHECK is the last word on overselling.
ticket_types = sa.Table(
    "ticket_types",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", JSONB, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("price", sa.BigInteger, nullable=False),
    sa.Column("quota", sa.Integer, nullable=False),
    sa.Column("seat_category", sa.Text),
    sa.Column("per_order_limit", sa.Integer, nullable=False),
    sa.Column("sale_starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sale_ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("taken", sa.Integer, nullable=False, server_default="0"),
    sa.CheckConstraint("taken >= 0 AND taken <= quota", name="ticket_types_within_quota"),
)

# One row per seat of a seated event; `order_id` names the one order holding or owning it.
seats = sa.Table(
    "seats",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("ticket_type_id", UUID(as_uuid=False), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("accessible", sa.Boolean, nullable=False),
    sa.Column("order_id", UUID(as_uuid=False)),
    sa.Column("held_until", sa.DateTime(timezone=True)),
    sa.Column("sold", sa.Boolean, nullable=False, server_default="false"),
    sa.Index("seats_of_event", "event_id", "position"),
    sa.Index("seats_of_order", "order_id"),
)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("buyer_id", sa.Text),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("buyer_key", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("seat_ids", JSONB, nullable=False),
    sa.Column("waiting_entry_id", UUID(as_uuid=False)),
    sa.Column("payment_intent_id", sa.Text),
    sa.Column("paid_amount", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refund_due", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("refunded_amount", sa.BigInteger, nullable=False, server_default="0"),
    *refusal_columns(),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index("orders_of_buyer", "event_id", "buyer_key"),
    sa.Index("orders_of_account", "buyer_id", "created_at"),
    sa.Index(
        "orders_of_guest", sa.func.lower(sa.text("email")), postgresql_where=sa.text("buyer_id IS NULL")
    ),
    sa.Index("orders_due", "status", "expires_at"),
    sa.Index("orders_owing_refunds", "id", postgresql_where=sa.text("refund_due > refunded_amount")),
)

order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("order_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("ticket_type_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
    sa.Index("order_items_of_type", "ticket_type_id"),
)

# A seat is in at most one valid ticket: the unique index holds even if everything above it fails.
tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("order_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("ticket_type_id", UUID(as_uuid=False), nullable=False),
    sa.Column("seat_id", UUID(as_uuid=False)),
    sa.Column("seat_label", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("checked_in_at", sa.DateTime(timezone=True)),
    sa.Column("checked_in_by", sa.Text),
    sa.Column("checked_in_gate", sa.Text),
    sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index(
        "tickets_one_per_seat",
        "seat_id",
        unique=True,
        postgresql_where=sa.text("status = 'valid' AND seat_id IS NOT NULL"),
    ),
)

waiting_list = sa.Table(
    "waiting_list",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("ticket_type_id", UUID(as_uuid=False), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("order_id", UUID(as_uuid=False)),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index("waiting_in_order", "ticket_type_id", "status", "created_at"),
)

# --- people ------------------------------------------------------------------------------------
# The people the identity service knows, as booking needs them: the email each has proved theirs,
# if any (None until then), under which a signed-in buyer finds the orders they placed as a guest.
people = sa.Table(
    "people",
    metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("verified_email", sa.Text),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
)
