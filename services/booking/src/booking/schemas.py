"""Request and response bodies of the booking API."""

from typing import Any, ClassVar

import marshmallow as ma

from booking.domain.ticketing import CATEGORIES, KINDS
from booking.events import RefundRefused
from eventbus.fields import Line, LocalTime, PageQuery, Paragraphs


class Recurrence(ma.Schema):
    frequency = ma.fields.String(required=True, validate=ma.validate.OneOf(("weekly",)))
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(2, 52))


class VenueBookingIn(ma.Schema):
    space_id = ma.fields.UUID(required=True)
    plot = Line(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=10))
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    title = Line(required=True, validate=ma.validate.Length(min=1, max=200))
    purpose = Paragraphs(required=True, validate=ma.validate.Length(min=1, max=2000))
    expected_attendance = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 200_000))
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(("vi", "en")))
    recurrence = ma.fields.Nested(Recurrence, load_default=None, allow_none=True)


class Money(ma.Schema):
    amount = ma.fields.Integer(required=True)
    deposit = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)


class Occurrence(ma.Schema):
    id = ma.fields.String(required=True)
    start = ma.fields.String(required=True)
    end = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    fee = ma.fields.Nested(Money, required=True)


class VenueBookingAccepted(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    series_id = ma.fields.String(allow_none=True)
    occurrences = ma.fields.List(ma.fields.Nested(Occurrence), required=True)


class VenueBookingOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    space_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    plot = ma.fields.String(allow_none=True)
    series_id = ma.fields.String(allow_none=True)
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    title = ma.fields.String(required=True)
    fee = ma.fields.Nested(Money, required=True)
    payment_due_at = LocalTime(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    refunded_amount = ma.fields.Integer()


class VenueBookingList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(VenueBookingOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class PaymentOut(ma.Schema):
    payment_intent_id = ma.fields.String(required=True)
    client_secret = ma.fields.String(required=True)
    amount = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)


def booking_view(b: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = VenueBookingOut().dump(
        {
            "id": str(b["id"]),
            "status": b["status"],
            "space_id": str(b["space_id"]),
            "venue_id": str(b["venue_id"]),
            "plot": b["plot_code"],
            "series_id": b["series_id"] and str(b["series_id"]),
            "start": b["starts_at"],
            "end": b["ends_at"],
            "title": b["title"],
            "fee": {"amount": b["fee_amount"], "deposit": b["deposit"], "currency": "VND"},
            "payment_due_at": b["payment_due_at"],
            "reason": b["reason"],
            "refunded_amount": b["refunded_amount"],
        }
    )
    return shown


# --- events and tickets ------------------------------------------------------------------------
class Text(ma.Schema):
    vi = Line(required=True, validate=ma.validate.Length(min=1, max=200))
    en = Line(required=True, validate=ma.validate.Length(min=1, max=200))


class LongText(ma.Schema):
    vi = Paragraphs(load_default="", validate=ma.validate.Length(max=5000))
    en = Paragraphs(load_default="", validate=ma.validate.Length(max=5000))


class Session(ma.Schema):
    start = LocalTime(required=True)
    end = LocalTime(required=True)


class RefundStep(ma.Schema):
    notice_days = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 365))
    refund_share = ma.fields.Float(required=True, validate=ma.validate.Range(0, 1))


class TicketTypeIn(ma.Schema):
    name = ma.fields.Nested(Text, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    price = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 100_000_000))
    quota = ma.fields.Integer(load_default=None, validate=ma.validate.Range(1, 200_000))
    seat_category = Line(load_default=None, validate=ma.validate.Length(min=1, max=30))
    per_order_limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 50))
    sale_starts_at = LocalTime(load_default=None)
    sale_ends_at = LocalTime(load_default=None)


DEFAULT_REFUNDS = [{"notice_days": 1, "refund_share": 1.0}]


class EventIn(ma.Schema):
    venue_booking_id = ma.fields.UUID(required=True)
    title = ma.fields.Nested(Text, required=True)
    description = ma.fields.Nested(LongText, load_default=lambda: {"vi": "", "en": ""})
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(CATEGORIES))
    sessions = ma.fields.List(
        ma.fields.Nested(Session), required=True, validate=ma.validate.Length(min=1, max=50)
    )
    images = ma.fields.List(
        ma.fields.Url(schemes={"https", "http"}), load_default=list, validate=ma.validate.Length(max=10)
    )
    ticket_types = ma.fields.List(
        ma.fields.Nested(TicketTypeIn), required=True, validate=ma.validate.Length(min=1, max=20)
    )
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(("vi", "en")))
    per_buyer_limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 100))
    hold_minutes = ma.fields.Integer(load_default=10, validate=ma.validate.Range(1, 60))
    refund_policy = ma.fields.List(
        ma.fields.Nested(RefundStep),
        load_default=lambda: list(DEFAULT_REFUNDS),
        validate=ma.validate.Length(max=10),
    )


CHANGEABLE = ("title", "description", "sessions", "images")


class EventChangeIn(ma.Schema):
    """What may change of an event once created; buyers are told, with the reason given."""

    title = ma.fields.Nested(Text)
    description = ma.fields.Nested(LongText(partial=True))  # the languages not sent are kept
    sessions = ma.fields.List(ma.fields.Nested(Session), validate=ma.validate.Length(min=1, max=50))
    images = ma.fields.List(ma.fields.Url(schemes={"https", "http"}), validate=ma.validate.Length(max=10))
    reason = Line(load_default=None, validate=ma.validate.Length(max=500))
    document: ClassVar[dict[str, Any]] = {"anyOf": [{"required": [name]} for name in CHANGEABLE]}

    @ma.validates_schema
    def _changes_something(self, data: dict[str, Any], **_: Any) -> None:
        if not set(CHANGEABLE) & data.keys():
            raise ma.ValidationError(f"name what changes: {', '.join(CHANGEABLE)}")


class EventCreated(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)


class TicketTypeOut(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.Nested(Text, required=True)
    kind = ma.fields.String(required=True)
    price = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    quota = ma.fields.Integer(required=True)
    seat_category = ma.fields.String(allow_none=True)
    per_order_limit = ma.fields.Integer(required=True)
    sale_starts_at = LocalTime(required=True)
    sale_ends_at = LocalTime(required=True)


class EventOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    title = ma.fields.Nested(Text, required=True)
    description = ma.fields.Nested(LongText, required=True)
    category = ma.fields.String(required=True)
    images = ma.fields.List(ma.fields.String(), required=True)
    sessions = ma.fields.List(ma.fields.Nested(Session), required=True)
    venue_id = ma.fields.String(required=True)
    venue_name = ma.fields.Nested(Text, required=True)
    venue_kind = ma.fields.String(required=True)
    area_id = ma.fields.String(required=True)
    space_id = ma.fields.String(required=True)
    ticket_types = ma.fields.List(ma.fields.Nested(TicketTypeOut), required=True)
    per_buyer_limit = ma.fields.Integer(required=True)
    refund_policy = ma.fields.List(ma.fields.Nested(RefundStep), required=True)


class EventList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(EventOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class TypeSales(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.Nested(Text, required=True)
    price = ma.fields.Integer(required=True)
    quota = ma.fields.Integer(required=True)
    sold = ma.fields.Integer(required=True)
    held = ma.fields.Integer(required=True)
    free = ma.fields.Integer(required=True)
    checked_in = ma.fields.Integer(required=True)
    revenue = ma.fields.Integer(required=True)


class PaidOrder(ma.Schema):
    id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Dict(), required=True)
    total = ma.fields.Integer(required=True)
    paid_at = LocalTime(required=True)
    checked_in = ma.fields.Integer(required=True)


class SalesOut(ma.Schema):
    event_id = ma.fields.String(required=True)
    ticket_types = ma.fields.List(ma.fields.Nested(TypeSales), required=True)
    revenue = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    orders = ma.fields.List(ma.fields.Nested(PaidOrder), required=True)


class EventQuery(PageQuery):
    start = LocalTime(data_key="from", load_default=None)
    end = LocalTime(data_key="to", load_default=None)
    area = ma.fields.UUID(load_default=None)
    venue_kind = ma.fields.String(load_default=None, validate=ma.validate.Length(max=40))
    category = ma.fields.String(load_default=None, validate=ma.validate.OneOf(CATEGORIES))
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100))


class TypeAvailability(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    available = ma.fields.Integer(required=True)
    waiting = ma.fields.Integer(required=True)


class SeatState(ma.Schema):
    id = ma.fields.String(required=True)
    label = ma.fields.String(required=True)
    ticket_type_id = ma.fields.String(required=True)
    accessible = ma.fields.Boolean(required=True)
    state = ma.fields.String(required=True)  # available, held or sold


class Availability(ma.Schema):
    ticket_types = ma.fields.List(ma.fields.Nested(TypeAvailability), required=True)


class SeatMap(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SeatState), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class ItemIn(ma.Schema):
    ticket_type_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 50))


class OrderIn(ma.Schema):
    event_id = ma.fields.UUID(required=True)
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(("vi", "en")))
    items = ma.fields.List(ma.fields.Nested(ItemIn), load_default=list, validate=ma.validate.Length(max=20))
    seats = ma.fields.List(ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=50))

    @ma.validates_schema
    def _asks_for_something(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("items") and not data.get("seats"):
            raise ma.ValidationError("ask for items or seats", "items")
        if len(set(data.get("seats", []))) != len(data.get("seats", [])):
            raise ma.ValidationError("a seat is named twice", "seats")


class ItemOut(ma.Schema):
    ticket_type_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    unit_price = ma.fields.Integer(required=True)


class SeatOut(ma.Schema):
    id = ma.fields.String(required=True)
    label = ma.fields.String(required=True)


class TicketOut(ma.Schema):
    code = ma.fields.String(required=True)
    ticket_type_id = ma.fields.String(required=True)
    seat = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True)
    checked_in_at = LocalTime(allow_none=True)
    qr_url = ma.fields.String(required=True)
    print_url = ma.fields.String(required=True)


class OrderOut(ma.Schema):
    id = ma.fields.String(required=True)
    event_id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    expires_at = LocalTime(required=True)
    items = ma.fields.List(ma.fields.Nested(ItemOut), required=True)
    seats = ma.fields.List(ma.fields.Nested(SeatOut), required=True)
    tickets = ma.fields.List(ma.fields.Nested(TicketOut), required=True)
    refunded_amount = ma.fields.Integer(required=True)
    reason = ma.fields.String(allow_none=True)


class OrderCreated(OrderOut):
    token = ma.fields.String(required=True)


class OrderSummary(ma.Schema):
    """One of a person's orders; GET /v1/orders/{id}, with the same bearer token, shows its tickets."""

    id = ma.fields.String(required=True)
    event_id = ma.fields.String(required=True)
    title = ma.fields.Nested(Text, required=True)
    status = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    as_guest = ma.fields.Boolean(required=True)  # placed without signing in, with the email since proved
    total = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    refunded_amount = ma.fields.Integer(required=True)
    placed_at = LocalTime(required=True)


class OrderList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OrderSummary), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class WaitingIn(ma.Schema):
    ticket_type_id = ma.fields.UUID(required=True)
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(("vi", "en")))
    quantity = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 10))


class WaitingOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    position = ma.fields.Integer(required=True)


class CheckinIn(ma.Schema):
    event_id = ma.fields.UUID(required=True)
    code = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=100))
    qr = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=200))
    gate = Line(load_default="", validate=ma.validate.Length(max=60))

    @ma.validates_schema
    def _names_a_ticket(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("code") is None) == (data.get("qr") is None):
            raise ma.ValidationError("send either code or qr", "code")


class CheckinOut(ma.Schema):
    code = ma.fields.String(required=True)
    event_id = ma.fields.String(required=True)
    ticket_type_id = ma.fields.String(required=True)
    seat = ma.fields.String(allow_none=True)
    checked_in_at = LocalTime(required=True)
    gate = ma.fields.String(required=True)


class DoorTicket(ma.Schema):
    key = ma.fields.String(required=True)  # the first 32 hex digits of the SHA-256 of its code
    checked_in_at = LocalTime(allow_none=True)
    gate = ma.fields.String(allow_none=True)


class DoorList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DoorTicket), required=True)


class RefundQuery(PageQuery):
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(["needs_attention"]))


class RefundOut(RefundRefused):
    """A refund Stripe refused, as staff read it: the same fields as the event that told of it."""


class RefundList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(RefundOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)
