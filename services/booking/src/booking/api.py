"""The booking HTTP API: thin views that load a schema, call a handler and dump the answer."""

from typing import Any

from flask import current_app, jsonify, request

from booking import handlers, people
from booking.common import KeyReused, NotFound, refunds_needing_attention
from booking.domain.venue_booking import RequestRejected, TransitionRefused
from booking.payments import Intent, Payments, SignatureRejected, StripeUnavailable
from booking.schemas import (
    PaymentOut,
    RefundList,
    RefundQuery,
    VenueBookingAccepted,
    VenueBookingIn,
    VenueBookingList,
    VenueBookingOut,
    booking_view,
)
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import ROLES, Principal
from eventbus.fields import PageQuery
from eventbus.http import Api, EmptyBody, Problem
from eventbus.runtime import Runtime

api = Api("booking")
ORGANISERS = ("organiser", "staff")


def uow() -> BookingUnitOfWork:
    runtime: Runtime = current_app.extensions["runtime"]
    return BookingUnitOfWork(runtime)


IDEMPOTENCY = {
    "Idempotency-Key": "1 to 200 characters of your choosing: a retry with it gets the first answer"
}


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        raise Problem(400, "Bad Request", "An Idempotency-Key has 1 to 200 characters.")
    return key


def payments() -> Payments:
    payments: Payments = current_app.extensions["payments"]
    return payments


@api.route(
    "/v1/venue-bookings",
    "POST",
    body=VenueBookingIn,
    roles=("organiser",),
    headers=IDEMPOTENCY,
    responses={202: VenueBookingAccepted, 409: None},
)
def request_venue_booking(body: dict[str, Any], principal: Principal) -> Any:
    """Ask for a space (or a weekly series); send an Idempotency-Key to make retries safe."""
    try:
        status, answer = handlers.request_venue_booking(uow(), principal, body, idempotency_key())
    except RequestRejected as exc:
        raise Problem(
            422, "Invalid request", "The booking cannot be requested as it is.", exc.errors
        ) from exc
    except KeyReused as exc:
        raise Problem(409, "Conflict", "This Idempotency-Key was used for another request.") from exc
    return jsonify(VenueBookingAccepted().dump(answer)), status


@api.route("/v1/venue-bookings", "GET", query=PageQuery, roles=ORGANISERS, responses={200: VenueBookingList})
def list_venue_bookings(query: dict[str, Any], principal: Principal) -> Any:
    """The organiser's own bookings (all of them for staff), newest first, a page at a time."""
    offset, limit = int(query["cursor"] or 0), query["limit"]
    rows = handlers.list_venue_bookings(uow(), principal, offset, limit + 1)
    more = len(rows) > limit
    items = [booking_view(b) for b in rows[:limit]]
    return jsonify(items=items, next_cursor=str(offset + limit) if more else None)


@api.route(
    "/v1/venue-bookings/<uuid:booking_id>",
    "GET",
    roles=ORGANISERS,
    responses={200: VenueBookingOut, 404: None},
)
def get_venue_booking(booking_id: Any, principal: Principal) -> Any:
    """One booking, with its fee, payment deadline and the reason of its last change."""
    try:
        return jsonify(booking_view(handlers.get_venue_booking(uow(), principal, str(booking_id))))
    except NotFound as exc:
        raise Problem(404, "Not Found", "No such venue booking.") from exc


@api.route(
    "/v1/venue-bookings/<uuid:booking_id>/cancel",
    "POST",
    body=EmptyBody,
    roles=ORGANISERS,
    responses={200: VenueBookingOut, 404: None, 409: None},
)
def cancel_venue_booking(booking_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Cancel a booking; the venue frees the slot."""
    try:
        return jsonify(booking_view(handlers.cancel_venue_booking(uow(), principal, str(booking_id))))
    except NotFound as exc:
        raise Problem(404, "Not Found", "No such venue booking.") from exc
    except TransitionRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc


@api.route(
    "/v1/venue-bookings/<uuid:booking_id>/payment",
    "POST",
    body=EmptyBody,
    roles=ORGANISERS,
    responses={200: PaymentOut, 404: None, 409: None, 503: None},
)
def pay_venue_booking(booking_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """A Stripe PaymentIntent for the fee; the browser confirms it with Stripe, never with us."""
    try:
        intent = handlers.start_payment(uow(), payments(), principal, str(booking_id))
    except NotFound as exc:
        raise Problem(404, "Not Found", "No such venue booking.") from exc
    except TransitionRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    except StripeUnavailable as exc:
        raise Problem(503, "Service Unavailable", "The payment provider did not answer; try again.") from exc
    return payment_answer(intent)


@api.route("/v1/refunds", "GET", query=RefundQuery, roles=("staff",), responses={200: RefundList})
def list_refunds(query: dict[str, Any], principal: Principal) -> Any:
    """Refunds Stripe refused (`state=needs_attention`): each waits for staff to settle it by hand."""
    items, cursor = refunds_needing_attention(uow(), query["cursor"], query["limit"])
    return jsonify(RefundList().dump({"items": items, "next_cursor": cursor}))


def payment_answer(intent: Intent) -> Any:
    shown = {"payment_intent_id": intent.id, "client_secret": intent.client_secret, "amount": intent.amount}
    return jsonify(PaymentOut().dump(shown | {"currency": "VND"}))


@api.route(
    "/v1/stripe/webhook",
    "POST",
    headers={"Stripe-Signature": "Stripe's signature of the body"},
    responses={200: None, 400: None, 503: None},
)
def stripe_webhook() -> Any:
    """Stripe's signed notice that a payment moved on; only a trigger to fetch the payment again."""
    try:
        event = payments().verified_event(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except SignatureRejected as exc:
        raise Problem(400, "Bad signature", "The Stripe-Signature header does not match this body.") from exc
    outcome = "ignored"
    if event.get("type") == "payment_intent.succeeded":
        intent_id = str(event.get("data", {}).get("object", {}).get("id", ""))
        try:
            outcome = handlers.settle_payment(uow(), payments(), intent_id)
        except StripeUnavailable as exc:  # Stripe retries what did not answer 2xx; a database error
            # is the service's one handler's to answer (503 when waiting helps, 500 otherwise)
            raise Problem(503, "Service Unavailable", "Try again shortly.") from exc
    return jsonify(received=True, outcome=outcome)


@api.route("/v1/me/data/booking", "GET", roles=ROLES, responses={200: None})
def my_data(principal: Principal) -> Any:
    """What this service holds of you, as JSON: your requests for venues, your events, your orders
    (those placed as a guest with the email you proved too) with their tickets, your places on
    waiting lists, and the tickets you checked in (the identity service's GET /v1/me/data gathers
    it with the rest)."""
    return jsonify(people.own_data(uow(), principal))
