"""The events the booking service publishes on `booking.events`, each with the schema it must pass."""

import marshmallow as ma

from eventbus.outbox import EventType

TOPIC = "booking.events"


class Money(ma.Schema):
    amount = ma.fields.Integer(required=True)
    deposit = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)


class VenueBookingEvent(ma.Schema):
    """Who, what, where, when and how much: what venues and notifications need of a booking."""

    venue_booking_id = ma.fields.String(required=True)
    series_id = ma.fields.String(allow_none=True, required=True)
    organiser_id = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    space_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    plot_id = ma.fields.String(allow_none=True, required=True)
    title = ma.fields.String(required=True)
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String(required=True)
    fee = ma.fields.Nested(Money, required=True)
    payment_due_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    reason = ma.fields.String(allow_none=True, required=True)
    refund = ma.fields.Integer(load_default=0)


TYPES = (
    "requested",
    "held",
    "conflicted",
    "approved",
    "rejected",
    "awaiting_payment",
    "confirmed",
    "expired",
    "cancelled",
    "refunded",
)
CATALOGUE = {f"booking.venue_booking.{t}": EventType(TOPIC, VenueBookingEvent()) for t in TYPES}
