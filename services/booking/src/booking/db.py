"""Tables of the booking database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)

# What venues announced of each space; booking never reads the venues database.
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
