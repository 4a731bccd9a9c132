"""Tables of the notifications database."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from eventbus.runtime import Plumbing

metadata = sa.MetaData()
plumbing = Plumbing.on(metadata)

# How to reach a person the events name by id (organisers, managers): buyers bring their email.
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("recipient", sa.Text, primary_key=True),
    sa.Column("email", sa.Text),
    sa.Column("language", sa.Text, nullable=False, server_default="vi"),
    sa.Column("opted_out", JSONB, nullable=False, server_default="[]"),  # channels for non-essential news
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("zalo_id", sa.Text),
)

# Organisers' own systems, told of what concerns them by signed POSTs.
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Index("webhooks_of", "recipient"),
)

# One row per message to one person: the delivery log, the in-app inbox and the send queue at once.
# (event_id, recipient, template, channel, address) is unique: a redelivered event sends nothing new.
notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("about", sa.Text, nullable=False),  # the booking, order or event it concerns
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("language", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("essential", sa.Boolean, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # pending, sent, failed, cancelled, inbox
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("leased_until", sa.DateTime(timezone=True)),  # a sender is sending it until then
    # Attempts that may have delivered it although their outcome was never known: a sender that
    # died before writing it down, a connection cut mid-message. Each may be one more copy.
    sa.Column("unconfirmed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("source", JSONB, nullable=False),  # the event as received, for the DLQ if all fails
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.Column("attachment", sa.Text),  # an iCalendar entry, for a confirmed booking
    sa.UniqueConstraint("event_id", "recipient", "template", "channel", "address", name="notifications_once"),
    sa.Index("notifications_due", "channel", "status", "send_after"),
    sa.Index("notifications_inbox", "recipient", "created_at"),
    sa.Index("notifications_about", "about", "status"),
)

# Requests that wait for a venue manager's review, from the venues service's slot events: what the
# managers' daily digest lists, oldest first.
waiting_reviews = sa.Table(
    "waiting_reviews",
    metadata,
    sa.Column("venue_booking_id", sa.Text, primary_key=True),
    sa.Column("managers", JSONB, nullable=False),
    sa.Column("start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
)
