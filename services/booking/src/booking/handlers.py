"""Use cases of the booking service, one short function each."""

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from booking import orders
from booking.common import NotFound, intent_for, now, remember, replayed
from booking.config import payment_window
from booking.domain.venue_booking import (
    RequestRejected,
    TransitionRefused,
    advance,
    check_request,
    quote,
    refund_share,
)
from booking.payments import Intent, Payments
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal
from eventbus.envelope import Envelope


def occurrences(
    start: datetime, end: datetime, recurrence: dict[str, Any] | None
) -> list[tuple[datetime, datetime]]:
    """A weekly series: the same hours on `count` weeks in a row."""
    count = recurrence["count"] if recurrence else 1
    return [(start + timedelta(weeks=i), end + timedelta(weeks=i)) for i in range(count)]


def request_venue_booking(
    uow: BookingUnitOfWork, principal: Principal, body: dict[str, Any], key: str | None
) -> tuple[int, dict[str, Any]]:
    """The organiser asks for a space; each occurrence goes to the venue on its own."""
    with uow:
        earlier = replayed(uow, principal.sub, key, body)
        if earlier is not None:
            return earlier
        space_id, plot = str(body["space_id"]), body.get("plot")
        series = occurrences(body["start"], body["end"], body.get("recurrence"))
        moment = now()
        faults: dict[str, list[str]] = {}
        for i, (start, end) in enumerate(series):
            try:
                space, plot_id = check_request(uow.space(space_id), start, end, plot, moment)
            except RequestRejected as exc:
                for field, messages in exc.errors.items():
                    faults.setdefault(field, []).extend(
                        f"week {i + 1}: {m}" if len(series) > 1 else m for m in messages
                    )
        if faults:
            raise RequestRejected(faults)
        series_id = str(uuid.uuid4()) if len(series) > 1 else None
        made = []
        for start, end in series:
            fee = quote(space, start, end, plot)
            booking = {
                "id": str(uuid.uuid4()),
                "organiser_id": principal.sub,
                "space_id": space_id,
                "venue_id": space.venue_id,
                "plot_id": plot_id,
                "plot_code": plot,
                "series_id": series_id,
                "starts_at": start,
                "ends_at": end,
                "title": body["title"],
                "purpose": body["purpose"],
                "expected_attendance": body["expected_attendance"],
                "language": body["language"],
                "status": "requested",
                "fee_amount": fee.amount,
                "deposit": fee.deposit,
            }
            uow.add_booking(booking)
            _publish(uow, booking, "requested")
            made.append(
                {
                    "id": booking["id"],
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "status": "requested",
                    "fee": {"amount": fee.amount, "deposit": fee.deposit, "currency": "VND"},
                }
            )
        answer = {"id": made[0]["id"], "status": "requested", "series_id": series_id, "occurrences": made}
        remember(uow, principal.sub, key, body, 202, answer)
        uow.commit()
        return 202, answer


def _event_data(b: dict[str, Any], status: str, reason: str | None = None, refund: int = 0) -> dict[str, Any]:
    return {
        "venue_booking_id": str(b["id"]),
        "series_id": b["series_id"] and str(b["series_id"]),
        "organiser_id": b["organiser_id"],
        "language": b["language"],
        "space_id": str(b["space_id"]),
        "venue_id": str(b["venue_id"]),
        "plot_id": b["plot_id"] and str(b["plot_id"]),
        "title": b["title"],
        "start": b["starts_at"],
        "end": b["ends_at"],
        "status": status,
        "fee": {"amount": b["fee_amount"], "deposit": b["deposit"], "currency": "VND"},
        "payment_due_at": b.get("payment_due_at"),
        "reason": reason,
        "refund": refund,
    }


def _publish(
    uow: BookingUnitOfWork,
    b: dict[str, Any],
    status: str,
    cause: Envelope | None = None,
    reason: str | None = None,
    refund: int = 0,
) -> None:
    uow.publish(
        f"booking.venue_booking.{status}", str(b["id"]), _event_data(b, status, reason, refund), cause
    )


def get_venue_booking(uow: BookingUnitOfWork, principal: Principal, booking_id: str) -> dict[str, Any]:
    with uow:
        row = uow.booking(booking_id)
    if row is None or (principal.role != "staff" and row.organiser_id != principal.sub):
        raise NotFound(booking_id)  # another organiser's booking is not theirs to know of
    return dict(row._mapping)


def list_venue_bookings(
    uow: BookingUnitOfWork, principal: Principal, offset: int, limit: int
) -> list[dict[str, Any]]:
    with uow:
        rows = uow.bookings_of(None if principal.role == "staff" else principal.sub, offset, limit)
    return [dict(r._mapping) for r in rows]


def cancel_venue_booking(uow: BookingUnitOfWork, principal: Principal, booking_id: str) -> dict[str, Any]:
    """The slot goes back to the venue; a paid booking is refunded by the space's policy, by the
    worker once this commits. A booking that still carries an event is kept: its buyers are
    refunded by cancelling the event first."""
    with uow:
        row = uow.booking(booking_id, lock=True)
        if row is None or (principal.role != "staff" and row.organiser_id != principal.sub):
            raise NotFound(booking_id)
        carried = uow.events_on(booking_id)
        if carried:
            raise TransitionRefused(f"cancel the event {carried[0]} on this booking first")
        status = advance(row.status, "cancelled")
        refund = 0
        if row.paid_amount:
            space = uow.space(str(row.space_id))
            policy = space.rules["cancellation_policy"] if space else []
            refund = math.floor(row.paid_amount * refund_share(policy, row.starts_at, now()))
        reason = "cancelled by the organiser"
        uow.update_booking(booking_id, status=status, reason=reason, refund_due=refund)
        _publish(uow, {**row._mapping, "status": status}, status, reason=reason, refund=refund)
        uow.commit()
    return get_venue_booking(uow, principal, booking_id)


def start_payment(
    uow: BookingUnitOfWork, payments: Payments, principal: Principal, booking_id: str
) -> Intent:
    """A PaymentIntent for the fee; asking again returns the same one. A payment that lands after
    the booking moved on is refunded in full (see `_settle_venue_payment`)."""
    with uow:
        row = uow.booking(booking_id)
    if row is None or (principal.role != "staff" and row.organiser_id != principal.sub):
        raise NotFound(booking_id)
    if row.status != "awaiting_payment":
        raise TransitionRefused(f"a {row.status} booking takes no payment")
    return intent_for(uow, payments, "venue_booking", row, row.fee_amount)


def settle_payment(uow: BookingUnitOfWork, payments: Payments, intent_id: str) -> str:
    """What a Stripe webhook announces is fetched again from Stripe and applied once, to the
    venue booking or the order it pays for; a refund it leads to is the worker's to pay."""
    intent = payments.fetch_intent(intent_id)
    if intent is None or intent.status != "succeeded":
        return "ignored"
    if "order_id" in intent.metadata:
        row_id, settle = intent.metadata["order_id"], orders.settle_payment
    elif "venue_booking_id" in intent.metadata:
        row_id, settle = intent.metadata["venue_booking_id"], _settle_venue_payment
    else:
        return "ignored"
    with uow:
        outcome = settle(uow, intent, row_id)
        uow.commit()
    return outcome


def _settle_venue_payment(uow: BookingUnitOfWork, intent: Intent, row_id: str) -> str:
    """A payment for a booking that meanwhile expired or was cancelled is refunded in full."""
    booking_id = row_id
    row = uow.booking(booking_id, lock=True)
    if row is None or row.payment_intent_id != intent.id:
        return "ignored"
    if row.status == "awaiting_payment" and intent.amount == row.fee_amount:
        status = advance(row.status, "confirmed")
        uow.update_booking(booking_id, status=status, paid_amount=intent.amount)
        _publish(uow, {**row._mapping, "status": status}, status)
    elif row.status in ("expired", "cancelled") and row.paid_amount == 0:
        reason = f"paid after the booking was {row.status}; refunded in full"
        uow.update_booking(booking_id, paid_amount=intent.amount, refund_due=intent.amount, reason=reason)
        _publish(uow, dict(row._mapping), "refunded", reason=reason, refund=intent.amount)
    else:
        return "already applied"
    return "applied"


def expire_overdue(uow: BookingUnitOfWork) -> int:
    """Unpaid by the deadline: the booking expires and the venue frees the slot."""
    with uow:
        expired = 0
        for booking_id in uow.overdue(now()):
            row = uow.booking(booking_id, lock=True)
            if row is not None and row.status == "awaiting_payment":
                uow.update_booking(booking_id, status="expired", reason="not paid by the deadline")
                _publish(uow, dict(row._mapping), "expired", reason="not paid by the deadline")
                expired += 1
        uow.commit()
        return expired


# --- reactions to venues' events -----------------------------------------------------------------
def remember_space(uow: BookingUnitOfWork, event: Envelope) -> None:
    uow.save_space(event.data)


def remember_area(uow: BookingUnitOfWork, event: Envelope) -> None:
    uow.save_area(event.data["area_id"], event.data["parent_id"])


def follow_slot(uow: BookingUnitOfWork, event: Envelope) -> None:
    """The venue held, refused or decided on the slot: the booking moves on, and says so."""
    outcome = event.type.rsplit(".", 1)[-1]
    row = uow.booking(event.data["venue_booking_id"], lock=True)
    if row is None:
        return
    try:
        status = advance(row.status, outcome)
    except TransitionRefused:
        return  # e.g. the organiser cancelled before the venue answered: the cancellation stands
    reason = event.data.get("reason")
    changes: dict[str, Any] = {"status": status, "reason": reason}
    if outcome == "held":
        changes["schedule_entry_id"] = event.data["schedule_entry_id"]
    uow.update_booking(row.id, **changes)
    booking = {**row._mapping, **changes}
    _publish(uow, booking, status, event, reason)
    if status == "approved":
        _ask_for_payment(uow, booking, event)


def _ask_for_payment(uow: BookingUnitOfWork, booking: dict[str, Any], cause: Envelope) -> None:
    """Free public use is confirmed at once; anything else waits for payment until a deadline."""
    if booking["fee_amount"] == 0:
        status, changes = advance("approved", "confirmed"), {}
    else:
        due = min(now() + payment_window(), booking["starts_at"])
        status, changes = advance("approved", "awaiting_payment"), {"payment_due_at": due}
    uow.update_booking(str(booking["id"]), status=status, **changes)
    _publish(uow, {**booking, **changes}, status, cause)
