"""The ticketing HTTP API: events, availability, orders, e-tickets, waiting lists and check-in.
Domain refusals become problem details in one table below, not in each view."""

from typing import Any

import marshmallow as ma
from flask import Response, current_app, jsonify, request

from booking import orders, people, sales, ticketing
from booking.api import IDEMPOTENCY, ORGANISERS, idempotency_key, payment_answer, payments, uow
from booking.common import KeyReused, NotFound
from booking.config import (
    holds_per_minute,
    misses_per_minute,
    waiting_per_minute,
)
from booking.domain.ticketing import SoldOut
from booking.domain.venue_booking import RequestRejected, TransitionRefused
from booking.eticket import qr_image, render_ticket
from booking.payments import StripeUnavailable
from booking.schemas import (
    Availability,
    CheckinIn,
    CheckinOut,
    DoorList,
    EventChangeIn,
    EventCreated,
    EventIn,
    EventList,
    EventOut,
    EventQuery,
    OrderCreated,
    OrderIn,
    OrderList,
    OrderOut,
    PaymentOut,
    SalesOut,
    SeatMap,
    WaitingIn,
    WaitingOut,
)
from eventbus.auth import ROLES, Principal
from eventbus.fields import Line, PageQuery
from eventbus.http import Api, EmptyBody, Problem, problem_response
from eventbus.ratelimit import RateLimits, client_address, limit_calls, limit_misses, trusted_proxies

api = Api("tickets")
EVENT_LIST = EventList()  # the public search's answer: built once, as building costs as much as dumping
DOOR = ("venue_manager", "organiser", "staff")


class CancelIn(ma.Schema):
    reason = Line(required=True, validate=ma.validate.Length(min=1, max=500))


def _problem(exc: Exception) -> Problem:
    """Every refusal of the ticketing use cases, as the client sees it."""
    match exc:
        case RequestRejected():
            return Problem(422, "Invalid request", "The request cannot be accepted as it is.", exc.errors)
        case SoldOut():
            return Problem(409, "Sold out", str(exc), seats=exc.seats)
        case KeyReused():
            return Problem(409, "Conflict", "This Idempotency-Key was used for another request.")
        case TransitionRefused() | orders.CheckinRefused():
            return Problem(409, "Conflict", str(exc))
        case orders.AlreadyUsed():
            used = CheckinOut().dump(exc.ticket)
            return Problem(409, "Already checked in", "This ticket was used before.", **used)
        case orders.NotYours():
            return Problem(403, "Forbidden", "You do not run the door of this event.")
        case NotFound():
            return Problem(404, "Not Found", "Nothing of that name is yours to see.")
        case StripeUnavailable():
            return Problem(503, "Service Unavailable", "The payment provider did not answer; try again.")
    raise exc


for refusal in (
    RequestRejected,
    SoldOut,
    KeyReused,
    TransitionRefused,
    orders.CheckinRefused,
    orders.AlreadyUsed,
    orders.NotYours,
    NotFound,
    StripeUnavailable,
):
    api.blueprint.register_error_handler(refusal, lambda exc: problem_response(_problem(exc)))


def _limits() -> RateLimits:
    limits: RateLimits = current_app.extensions["rate_limits"]
    return limits


holds_limited = limit_calls(_limits, "orders", holds_per_minute)
waiting_limited = limit_calls(_limits, "waiting-list entries", waiting_per_minute)
lookups_limited = limit_misses(_limits, "lookups of unknown orders or tickets", misses_per_minute, NotFound)


ORDER_TOKEN = {"X-Order-Token": "the order's token, for a guest (or ?token= from the link sent)"}


def _order_token() -> str | None:
    """A guest proves the order is theirs with its token: a header, or the link they were sent."""
    return request.headers.get("X-Order-Token") or request.args.get("token")


# --- events --------------------------------------------------------------------------------------
@api.route(
    "/v1/events",
    "POST",
    body=EventIn,
    roles=("organiser",),
    headers=IDEMPOTENCY,
    responses={201: EventCreated, 409: None},
)
def create_event(body: dict[str, Any], principal: Principal) -> Any:
    """A draft event on a confirmed booking of yours, with its sessions and ticket types."""
    status, answer = ticketing.create_event(uow(), principal, body, idempotency_key())
    return jsonify(EventCreated().dump(answer)), status


@api.route("/v1/events", "GET", query=EventQuery, responses={200: EventList})
def find_events(query: dict[str, Any]) -> Any:
    """Published events by date, area (and the areas within it), venue kind, category and words;
    words match with or without Vietnamese diacritics."""
    items, cursor = ticketing.find_events(uow(), query)
    return jsonify(EVENT_LIST.dump({"items": items, "next_cursor": cursor}))


@api.route("/v1/events/<uuid:event_id>", "GET", optional_token=True, responses={200: EventOut, 404: None})
def get_event(event_id: Any, principal: Principal | None) -> Any:
    """One event with its ticket types; drafts only for their organiser."""
    return jsonify(EventOut().dump(ticketing.get_event(uow(), principal, str(event_id))))


@api.route(
    "/v1/events/<uuid:event_id>",
    "PATCH",
    body=EventChangeIn,
    roles=ORGANISERS,
    responses={200: EventOut, 404: None, 409: None},
)
def change_event(event_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Change an event's words, images or sessions; every buyer is told."""
    return jsonify(EventOut().dump(ticketing.change_event(uow(), principal, str(event_id), body)))


@api.route(
    "/v1/events/<uuid:event_id>/publish",
    "POST",
    body=EmptyBody,
    roles=ORGANISERS,
    responses={200: EventCreated, 404: None, 409: None},
)
def publish_event(event_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Put a draft event on sale."""
    return jsonify(EventCreated().dump(ticketing.publish_event(uow(), principal, str(event_id))))


@api.route(
    "/v1/events/<uuid:event_id>/cancel",
    "POST",
    body=CancelIn,
    roles=ORGANISERS,
    responses={200: EventCreated, 404: None, 409: None},
)
def cancel_event(event_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Cancel the event: every paid order is refunded in full and every buyer told."""
    answer = ticketing.cancel_event(uow(), principal, str(event_id), body["reason"])
    return jsonify(EventCreated().dump(answer))


@api.route("/v1/events/<uuid:event_id>/availability", "GET", responses={200: Availability, 404: None})
def availability(event_id: Any) -> Any:
    """What is left of each ticket type (the seats' states: GET /v1/events/{event_id}/seats)."""
    return jsonify(Availability().dump(ticketing.availability(uow(), str(event_id))))


@api.route("/v1/events/<uuid:event_id>/seats", "GET", query=PageQuery, responses={200: SeatMap, 404: None})
def seat_map(event_id: Any, query: dict[str, Any]) -> Any:
    """The event's seats in the hall's order, each available, held or sold, a page at a time."""
    items, cursor = ticketing.seat_map(uow(), str(event_id), query)
    return jsonify(SeatMap().dump({"items": items, "next_cursor": cursor}))


@api.route(
    "/v1/events/<uuid:event_id>/waiting-list",
    "POST",
    body=WaitingIn,
    responses={201: WaitingOut, 404: None, 409: None, 429: None},
)
@waiting_limited
def join_waiting_list(event_id: Any, body: dict[str, Any]) -> Any:
    """Queue for a sold-out ticket type, once per email; returned places are offered in order, for a
    limited time, within the event's tickets per buyer."""
    return jsonify(WaitingOut().dump(ticketing.join_waiting_list(uow(), str(event_id), body))), 201


# --- orders --------------------------------------------------------------------------------------
@api.route(
    "/v1/orders",
    "POST",
    body=OrderIn,
    optional_token=True,
    headers=IDEMPOTENCY,
    responses={201: OrderCreated, 409: None, 429: None},
)
@holds_limited
def place_order(body: dict[str, Any], principal: Principal | None) -> Any:
    """Hold tickets (by type and quantity, or by seat) for a guest with an email or a logged-in
    buyer; the answer's token reads the order. Send an Idempotency-Key to make retries safe."""
    client = client_address(trusted_proxies())
    status, answer = orders.place_order(uow(), principal, body, idempotency_key(), client)
    return jsonify(answer), status


@api.route("/v1/orders", "GET", query=PageQuery, roles=ROLES, responses={200: OrderList})
def own_orders(query: dict[str, Any], principal: Principal) -> Any:
    """Your orders, newest first, a page at a time: your account's, and those placed as a guest
    with the email you proved to the identity service."""
    items, cursor = people.own_orders(uow(), principal, query)
    return jsonify(OrderList().dump({"items": items, "next_cursor": cursor}))


@api.route(
    "/v1/orders/<uuid:order_id>",
    "GET",
    optional_token=True,
    headers=ORDER_TOKEN,
    responses={200: OrderOut, 404: None, 429: None},
)
@lookups_limited
def get_order(order_id: Any, principal: Principal | None) -> Any:
    """An order with its tickets, for the holder of its token (X-Order-Token) or its buyer."""
    answer = orders.get_order(uow(), str(order_id), _order_token(), principal)
    return jsonify(OrderOut().dump(answer))


@api.route(
    "/v1/orders/<uuid:order_id>/payment",
    "POST",
    body=EmptyBody,
    optional_token=True,
    headers=ORDER_TOKEN,
    responses={200: PaymentOut, 404: None, 409: None, 429: None, 503: None},
)
@lookups_limited
def pay_order(order_id: Any, body: dict[str, Any], principal: Principal | None) -> Any:
    """A Stripe PaymentIntent for the order; the browser confirms it with Stripe, never with us."""
    intent = orders.start_payment(uow(), payments(), str(order_id), _order_token(), principal)
    return payment_answer(intent)


@api.route(
    "/v1/orders/<uuid:order_id>/cancel",
    "POST",
    body=EmptyBody,
    optional_token=True,
    headers=ORDER_TOKEN,
    responses={200: OrderOut, 404: None, 409: None, 429: None},
)
@lookups_limited
def cancel_order(order_id: Any, body: dict[str, Any], principal: Principal | None) -> Any:
    """Give the tickets back: a hold ends, a paid order is refunded by the event's policy."""
    answer = orders.cancel_order(uow(), str(order_id), _order_token(), principal)
    return jsonify(OrderOut().dump(answer))


# --- tickets and the door ------------------------------------------------------------------------
def _key() -> bytes:
    return bytes(current_app.extensions["ticket_key"])


@api.route("/v1/tickets/<code>", "GET", responses={200: None, 404: None, 429: None})
@lookups_limited
def print_ticket(code: str) -> Any:
    """The printable e-ticket (HTML, Vietnamese and English); its code is the bearer's proof."""
    ticket = orders.printable_ticket(uow(), code, _key())
    return Response(render_ticket(ticket), content_type="text/html; charset=utf-8")


@api.route("/v1/tickets/<code>/qr.svg", "GET", responses={200: None, 404: None, 429: None})
@lookups_limited
def ticket_qr(code: str) -> Any:
    """The ticket's signed QR code as an SVG image."""
    ticket = orders.printable_ticket(uow(), code, _key())
    return Response(qr_image(ticket["qr"]), content_type="image/svg+xml")


@api.route("/v1/me/events", "GET", roles=ORGANISERS, responses={200: EventList})
def my_events(principal: Principal) -> Any:
    """The organiser's own events, the latest first, drafts and cancelled ones too."""
    return jsonify(EventList().dump({"items": sales.my_events(uow(), principal), "next_cursor": None}))


@api.route("/v1/events/<uuid:event_id>/sales", "GET", roles=ORGANISERS, responses={200: SalesOut, 404: None})
def event_sales(event_id: Any, principal: Principal) -> Any:
    """What the event sold, per ticket type (sold, held, free, checked in, revenue), and its paid
    orders (the buyers' list): for its organiser and staff."""
    return jsonify(SalesOut().dump(sales.sales(uow(), principal, str(event_id))))


@api.route(
    "/v1/events/<uuid:event_id>/door-list",
    "GET",
    roles=("organiser", "venue_manager", "staff"),
    responses={200: DoorList, 403: None, 404: None},
)
def door_list(event_id: Any, principal: Principal) -> Any:
    """The event's valid tickets, each by a digest of its code, and whether it was used: what a
    door page keeps to go on checking tickets while its network is down."""
    return jsonify(DoorList().dump({"items": orders.door_list(uow(), principal, str(event_id))}))


@api.route(
    "/v1/checkins",
    "POST",
    body=CheckinIn,
    roles=DOOR,
    responses={200: CheckinOut, 404: None, 409: None},
)
def check_in(body: dict[str, Any], principal: Principal) -> Any:
    """Let a ticket in, by its signed QR payload (or its code, typed by staff or the venue's
    manager): once; a second scan says when and where."""
    return jsonify(CheckinOut().dump(orders.check_in(uow(), principal, body, _key())))
