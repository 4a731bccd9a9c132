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


class Text(ma.Schema):
    vi = ma.fields.String(required=True)
    en = ma.fields.String(required=True)


class Session(ma.Schema):
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)


class Show(ma.Schema):
    """What every ticketing event says of the event it concerns, so that no reader needs to ask."""

    event_id = ma.fields.String(required=True)
    organiser_id = ma.fields.String(required=True)
    title = ma.fields.Nested(Text, required=True)
    category = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    venue_name = ma.fields.Nested(Text, required=True)
    area_id = ma.fields.String(required=True)
    sessions = ma.fields.List(ma.fields.Nested(Session), required=True)


class EventChanged(Show):
    status = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    reason = ma.fields.String(allow_none=True, required=True)
    ticket_types = ma.fields.List(ma.fields.Dict(), required=True)


class Item(ma.Schema):
    ticket_type_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    unit_price = ma.fields.Integer(required=True)


class OrderEvent(Show):
    """An order moved on: who bought what, for how much, and what comes back."""

    order_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    buyer_id = ma.fields.String(allow_none=True, required=True)
    email = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(Item), required=True)
    seats = ma.fields.List(ma.fields.String(), required=True)
    total = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    expires_at = ma.fields.AwareDateTime(required=True)
    refund = ma.fields.Integer(required=True)
    reason = ma.fields.String(allow_none=True, required=True)
    order_url = ma.fields.String(required=True)


class Ticket(ma.Schema):
    code = ma.fields.String(required=True)
    ticket_type_id = ma.fields.String(required=True)
    seat = ma.fields.String(allow_none=True, required=True)
    url = ma.fields.String(required=True)
    qr_url = ma.fields.String(required=True)


class TicketsIssued(OrderEvent):
    tickets = ma.fields.List(ma.fields.Nested(Ticket), required=True)


class WaitingOffer(OrderEvent):
    """Places came back and go to the next on the waiting list: the order is held for them; paying
    it (through `order_url`, which carries the order's token) accepts the offer."""

    waiting_entry_id = ma.fields.String(required=True)


class CheckedIn(ma.Schema):
    code = ma.fields.String(required=True)
    event_id = ma.fields.String(required=True)
    order_id = ma.fields.String(required=True)
    ticket_type_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    seat = ma.fields.String(allow_none=True, required=True)
    checked_in_at = ma.fields.AwareDateTime(required=True)
    checked_in_by = ma.fields.String(required=True)
    gate = ma.fields.String(required=True)


class RefundRefused(ma.Schema):
    """Stripe refused a refund (a charge disputed or refunded elsewhere, an amount it will not
    take): it waits for staff, and is not asked for again."""

    kind = ma.fields.String(required=True)  # venue_booking or order
    id = ma.fields.String(required=True)
    payment_intent_id = ma.fields.String(required=True)
    amount = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    refused_at = ma.fields.AwareDateTime(required=True)


ORDER_STATES = ("held", "paid", "expired", "cancelled", "refunded")
CATALOGUE = {
    **{f"booking.venue_booking.{t}": EventType(TOPIC, VenueBookingEvent()) for t in TYPES},
    "booking.event.published": EventType(TOPIC, EventChanged()),
    "booking.event.cancelled": EventType(TOPIC, EventChanged()),
    "booking.event.changed": EventType(TOPIC, EventChanged()),
    "booking.order.event_changed": EventType(TOPIC, OrderEvent()),
    **{f"booking.order.{t}": EventType(TOPIC, OrderEvent()) for t in ORDER_STATES},
    "booking.tickets.issued": EventType(TOPIC, TicketsIssued()),
    "booking.ticket.checked_in": EventType(TOPIC, CheckedIn()),
    "booking.waitlist.offered": EventType(TOPIC, WaitingOffer()),
    "booking.refund.refused": EventType(TOPIC, RefundRefused()),
}
