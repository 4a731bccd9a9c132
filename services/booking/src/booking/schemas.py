"""Request and response bodies of the booking API."""

from typing import Any

import marshmallow as ma

from eventbus.fields import LocalTime


class Recurrence(ma.Schema):
    frequency = ma.fields.String(required=True, validate=ma.validate.OneOf(("weekly",)))
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(2, 52))


class VenueBookingIn(ma.Schema):
    space_id = ma.fields.UUID(required=True)
    plot = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=10))
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    purpose = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
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
