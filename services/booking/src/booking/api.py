"""The booking HTTP API: thin views that load a schema, call a handler and dump the answer."""

from typing import Any

from flask import current_app, jsonify, request

from booking import handlers
from booking.domain.venue_booking import RequestRejected, TransitionRefused
from booking.schemas import (
    Nothing,
    VenueBookingAccepted,
    VenueBookingIn,
    VenueBookingList,
    VenueBookingOut,
    booking_view,
)
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal
from eventbus.http import Api, Problem
from eventbus.runtime import Runtime

api = Api("booking")
ORGANISERS = ("organiser", "staff")


def _uow() -> BookingUnitOfWork:
    runtime: Runtime = current_app.extensions["runtime"]
    return BookingUnitOfWork(runtime)


@api.route(
    "/v1/venue-bookings",
    "POST",
    body=VenueBookingIn,
    roles=("organiser",),
    responses={202: VenueBookingAccepted, 409: None},
)
def request_venue_booking(body: dict[str, Any], principal: Principal) -> Any:
    """Ask for a space (or a weekly series); send an Idempotency-Key to make retries safe."""
    key = request.headers.get("Idempotency-Key")
    try:
        status, answer = handlers.request_venue_booking(_uow(), principal, body, key)
    except RequestRejected as exc:
        raise Problem(
            422, "Invalid request", "The booking cannot be requested as it is.", exc.errors
        ) from exc
    except handlers.KeyReused as exc:
        raise Problem(409, "Conflict", "This Idempotency-Key was used for another request.") from exc
    return jsonify(VenueBookingAccepted().dump(answer)), status


@api.route("/v1/venue-bookings", "GET", roles=ORGANISERS, responses={200: VenueBookingList})
def list_venue_bookings(principal: Principal) -> Any:
    """The organiser's own bookings (all of them for staff)."""
    items = [booking_view(b) for b in handlers.list_venue_bookings(_uow(), principal)]
    return jsonify(items=items, next_cursor=None)


@api.route(
    "/v1/venue-bookings/<uuid:booking_id>",
    "GET",
    roles=ORGANISERS,
    responses={200: VenueBookingOut, 404: None},
)
def get_venue_booking(booking_id: Any, principal: Principal) -> Any:
    """One booking, with its fee, payment deadline and the reason of its last change."""
    try:
        return jsonify(booking_view(handlers.get_venue_booking(_uow(), principal, str(booking_id))))
    except handlers.NotFound as exc:
        raise Problem(404, "Not Found", "No such venue booking.") from exc


@api.route(
    "/v1/venue-bookings/<uuid:booking_id>/cancel",
    "POST",
    body=Nothing,
    roles=ORGANISERS,
    responses={200: VenueBookingOut, 404: None, 409: None},
)
def cancel_venue_booking(booking_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Cancel a booking; the venue frees the slot."""
    try:
        return jsonify(booking_view(handlers.cancel_venue_booking(_uow(), principal, str(booking_id))))
    except handlers.NotFound as exc:
        raise Problem(404, "Not Found", "No such venue booking.") from exc
    except TransitionRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
