"""Use cases of events on booked spaces: create, publish, cancel, find, and what is left of them."""

import uuid
from typing import Any

from booking import orders
from booking.common import NotFound, now, remember, replayed
from booking.domain.ticketing import SoldOut, check_event, check_sessions, fold
from booking.domain.venue_booking import RequestRejected, TransitionRefused
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal


def create_event(
    uow: BookingUnitOfWork, principal: Principal, body: dict[str, Any], key: str | None
) -> tuple[int, dict[str, Any]]:
    """A draft event on one of the organiser's confirmed bookings, its ticket types and seats."""
    with uow:
        earlier = replayed(uow, principal.sub, key, body)
        if earlier is not None:
            return earlier
        # the booking locked: events on it are made and moved one at a time, their sessions apart
        booking = uow.booking(str(body["venue_booking_id"]), lock=True)
        if booking is None or booking.organiser_id != principal.sub:
            raise RequestRejected({"venue_booking_id": ["no such booking of yours"]})
        space = uow.snapshot(str(booking.space_id)) or {}
        sessions = sorted(body["sessions"], key=lambda s: s["start"])
        asked = [  # on sale from now until the first session begins, unless said otherwise
            t
            | {
                "sale_starts_at": t["sale_starts_at"] or now(),
                "sale_ends_at": t["sale_ends_at"] or sessions[0]["start"],
            }
            for t in body["ticket_types"]
        ]
        seats_by_category = check_event(
            dict(booking._mapping),
            space["layout_kind"],
            space["capacity"],
            space["layout"],
            body | {"ticket_types": asked},
            uow.sessions_on(str(booking.id)),
        )
        event_id = str(uuid.uuid4())
        types: list[dict[str, Any]] = []
        seats: list[dict[str, Any]] = []
        for position, t in enumerate(asked):
            type_id = str(uuid.uuid4())
            sold = seats_by_category.get(t["seat_category"], []) if t["kind"] == "seated" else []
            types.append(
                {
                    "id": type_id,
                    "event_id": event_id,
                    "position": position,
                    "name": t["name"],
                    "kind": t["kind"],
                    "price": t["price"],
                    "quota": len(sold) if t["kind"] == "seated" else t["quota"],
                    "seat_category": t["seat_category"] if t["kind"] == "seated" else None,
                    "per_order_limit": t["per_order_limit"],
                    "sale_starts_at": t["sale_starts_at"],
                    "sale_ends_at": t["sale_ends_at"],
                }
            )
            seats += [
                {
                    "id": str(uuid.uuid4()),
                    "event_id": event_id,
                    "ticket_type_id": type_id,
                    "label": seat.label,
                    "position": len(seats) + i,
                    "accessible": seat.accessible,
                }
                for i, seat in enumerate(sold)
            ]
        uow.add_event(
            {
                "id": event_id,
                "organiser_id": principal.sub,
                "venue_booking_id": str(booking.id),
                "space_id": str(booking.space_id),
                "venue_id": str(booking.venue_id),
                "area_id": space["area_id"],
                "venue_kind": space["venue_kind"],
                "venue_name": space["venue_name"],
                "title": body["title"],
                "description": body["description"],
                "category": body["category"],
                "images": body["images"],
                **_when(sessions),
                "language": body["language"],
                "per_buyer_limit": body["per_buyer_limit"],
                "hold_minutes": body["hold_minutes"],
                "refund_policy": body["refund_policy"],
                "status": "draft",
                "search_text": _search_text(body["title"], body["description"], space["venue_name"]),
            },
            types,
            seats,
        )
        answer = {"id": event_id, "status": "draft"}
        remember(uow, principal.sub, key, body, 201, answer)
        uow.commit()
        return 201, answer


def _when(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(sessions, key=lambda s: s["start"])
    return {
        "sessions": [{"start": s["start"].isoformat(), "end": s["end"].isoformat()} for s in ordered],
        "starts_at": ordered[0]["start"],
        "ends_at": max(s["end"] for s in ordered),
    }


def _search_text(title: dict[str, str], description: dict[str, str], venue_name: dict[str, str]) -> str:
    return fold(" ".join([*title.values(), *description.values(), *venue_name.values()]))


def change_event(
    uow: BookingUnitOfWork, principal: Principal, event_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """What the public sees changes: words, images or the sessions (within the booked time). Each
    buyer of a published event is told, and their reminder follows the new time."""
    with uow:
        known = uow.event(event_id)
        if known is not None and "sessions" in body:  # the booking before the event: the lock order
            uow.booking(str(known.venue_booking_id), lock=True)
        event = own_event(uow, principal, event_id)
        if event.status == "cancelled":
            raise TransitionRefused("a cancelled event cannot change")
        # Orders before ticket types, as a buyer's cancellation takes them; an order paid meanwhile
        # waits, and is confirmed with what the event has become.
        buyers = uow.orders_of_event(event_id, ("held", "paid"))
        changes = _changes(event, body)
        if not changes:
            return event_view(event, uow.ticket_types(event_id))
        if "sessions" in changes:
            booking_id = str(event.venue_booking_id)
            others = uow.sessions_on(booking_id, besides=event_id)
            check_sessions(dict(uow.booking(booking_id)._mapping), body["sessions"], others)
        if "starts_at" in changes:
            uow.follow_first_session(event_id, event.starts_at, changes["starts_at"])
        title, description = changes.get("title", event.title), changes.get("description", event.description)
        uow.update_event(event_id, **changes, search_text=_search_text(title, description, event.venue_name))
        changed = uow.event(event_id)
        if event.status == "published":
            _announce(uow, changed, "changed", body["reason"])
            for order in buyers:
                if order.status == "paid":
                    orders.tell_of_change(uow, changed, order, body["reason"])
        uow.commit()
        return event_view(changed, uow.ticket_types(event_id))


def _changes(event: Any, body: dict[str, Any]) -> dict[str, Any]:
    """What the request changes of the event: the languages of a description not sent are kept,
    and what is already so is left out, so that a repeated request tells nobody twice."""
    asked: dict[str, Any] = {k: body[k] for k in ("title", "images") if k in body}
    if "description" in body:
        asked["description"] = event.description | body["description"]
    if "sessions" in body:
        asked |= _when(body["sessions"])
    return {k: v for k, v in asked.items() if v != getattr(event, k)}


def own_event(uow: BookingUnitOfWork, principal: Principal, event_id: str, lock: bool = True) -> Any:
    """The event, if it is the organiser's (or the principal is staff); locked to change it."""
    event = uow.event(event_id, lock=lock)
    if event is None or (principal.role != "staff" and event.organiser_id != principal.sub):
        raise NotFound(event_id)
    return event


def _announce(uow: BookingUnitOfWork, event: Any, status: str, reason: str | None = None) -> None:
    types = [
        {"id": str(t.id), "name": t.name, "kind": t.kind, "price": t.price, "quota": t.quota}
        for t in uow.ticket_types(str(event.id))
    ]
    data = orders.show(event) | {
        "status": status,
        "language": event.language,
        "reason": reason,
        "ticket_types": types,
    }
    uow.publish(f"booking.event.{status}", str(event.id), data)


def publish_event(uow: BookingUnitOfWork, principal: Principal, event_id: str) -> dict[str, Any]:
    """The event goes on sale and can be found by the public."""
    with uow:
        event = own_event(uow, principal, event_id)
        if event.status != "draft":
            raise TransitionRefused(f"a {event.status} event cannot be published")
        uow.update_event(event_id, status="published")
        _announce(uow, event, "published")
        uow.commit()
    return {"id": event_id, "status": "published"}


def cancel_event(uow: BookingUnitOfWork, principal: Principal, event_id: str, reason: str) -> dict[str, Any]:
    """Every order is cancelled and every paid one owes a refund in full, which the worker pays
    (no Stripe call per order inside the request); the waiting list lapses."""
    with uow:
        event = own_event(uow, principal, event_id)
        if event.status == "cancelled":
            raise TransitionRefused("the event is already cancelled")
        uow.update_event(event_id, status="cancelled")
        uow.lapse_waiting(event_id)
        for order in uow.orders_of_event(event_id, ("held", "paid")):
            refund = order.paid_amount
            orders.close(uow, event, order, "cancelled", f"the event was cancelled: {reason}", refund)
        _announce(uow, event, "cancelled", reason)
        uow.commit()
    return {"id": event_id, "status": "cancelled"}


def get_event(uow: BookingUnitOfWork, principal: Principal | None, event_id: str) -> dict[str, Any]:
    """A published event for anyone; a draft or cancelled one for its organiser and staff too."""
    with uow:
        event = uow.event(event_id)
        if event is None:
            raise NotFound(event_id)
        mine = principal is not None and (principal.role == "staff" or principal.sub == event.organiser_id)
        if event.status == "draft" and not mine:
            raise NotFound(event_id)
        return event_view(event, uow.ticket_types(event_id))


def find_events(uow: BookingUnitOfWork, query: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """Published events by time, place, kind and words; a word matches with or without diacritics."""
    offset = int(query["cursor"] or 0)
    filters = {**query, "q": fold(query["q"]) if query["q"] else None}
    with uow:
        rows = uow.find_events(filters, offset, query["limit"] + 1)
        types = uow.ticket_types_of([str(e.id) for e in rows[: query["limit"]]])
        shown = [event_view(e, types.get(str(e.id), [])) for e in rows[: query["limit"]]]
    more = len(rows) > query["limit"]
    return shown, str(offset + query["limit"]) if more else None


def availability(uow: BookingUnitOfWork, event_id: str) -> dict[str, Any]:
    """What is left of each ticket type; lapsed holds count as free."""
    with uow:
        _public_event(uow, event_id)
        types = uow.availability(event_id, now())
    return {
        "ticket_types": [
            {"id": str(t.id), "kind": t.kind, "available": t.available, "waiting": t.waiting} for t in types
        ]
    }


def seat_map(
    uow: BookingUnitOfWork, event_id: str, page: dict[str, Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the event's seats in the hall's order, each with its state: a hall may hold
    thousands."""
    offset, limit = int(page["cursor"] or 0), page["limit"]
    with uow:
        _public_event(uow, event_id)
        seats = uow.seat_states(event_id, now(), offset, limit + 1)
    shown = [
        {
            "id": str(s.id),
            "label": s.label,
            "ticket_type_id": str(s.ticket_type_id),
            "accessible": s.accessible,
            "state": s.state,
        }
        for s in seats[:limit]
    ]
    return shown, str(offset + limit) if len(seats) > limit else None


def _public_event(uow: BookingUnitOfWork, event_id: str) -> None:
    event = uow.event(event_id)
    if event is None or event.status == "draft":
        raise NotFound(event_id)


def join_waiting_list(uow: BookingUnitOfWork, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A place in the queue for a sold-out ticket type; returned places are offered in order."""
    with uow:
        event = uow.event(event_id)
        ticket_type = uow.ticket_type(str(body["ticket_type_id"]))
        if event is None or event.status != "published":
            raise NotFound(event_id)
        if ticket_type is None or str(ticket_type.event_id) != event_id:
            raise RequestRejected({"ticket_type_id": ["no such ticket type in this event"]})
        if body["quantity"] > ticket_type.per_order_limit:
            raise RequestRejected({"quantity": [f"at most {ticket_type.per_order_limit} per order"]})
        left = next(t for t in uow.availability(event_id, now()) if t.id == ticket_type.id)
        if left.available >= body["quantity"] and not left.waiting:
            raise SoldOut("not sold out: buy instead")
        email = body["email"].lower()
        _within_buyer_cap(uow, event, str(ticket_type.id), email, body["quantity"])
        entry_id = str(uuid.uuid4())
        position = uow.add_waiting(
            {
                "id": entry_id,
                "event_id": event_id,
                "ticket_type_id": str(ticket_type.id),
                "email": email,
                "language": body["language"],
                "quantity": body["quantity"],
                "status": "waiting",
            }
        )
        uow.commit()
    return {"id": entry_id, "status": "waiting", "position": position}


def _within_buyer_cap(uow: BookingUnitOfWork, event: Any, type_id: str, email: str, quantity: int) -> None:
    """One entry per email and ticket type; what the email holds, or waits for, and this entry stay
    within the event's tickets per buyer (an offer is held as that buyer's order)."""
    buyer = f"guest:{email}"
    uow.lock_buyer(str(event.id), buyer)
    entries = uow.waiting_of_buyer(str(event.id), email)
    if any(str(e.ticket_type_id) == type_id for e in entries):
        raise RequestRejected({"email": ["already on the waiting list for this ticket type"]})
    awaited = sum(e.quantity for e in entries if e.status == "waiting")
    if uow.places_of_buyer(str(event.id), buyer, now()) + awaited + quantity > event.per_buyer_limit:
        limit = event.per_buyer_limit
        raise RequestRejected(
            {"quantity": [f"at most {limit} tickets per buyer for this event, offers included"]}
        )


def event_view(event: Any, types: list[Any]) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "status": event.status,
        "title": event.title,
        "description": event.description,
        "category": event.category,
        "images": event.images,
        "sessions": orders.sessions(event),
        "venue_id": str(event.venue_id),
        "venue_name": event.venue_name,
        "venue_kind": event.venue_kind,
        "area_id": str(event.area_id),
        "space_id": str(event.space_id),
        "per_buyer_limit": event.per_buyer_limit,
        "refund_policy": event.refund_policy,
        "ticket_types": [
            {
                "id": str(t.id),
                "name": t.name,
                "kind": t.kind,
                "price": t.price,
                "currency": "VND",
                "quota": t.quota,
                "seat_category": t.seat_category,
                "per_order_limit": t.per_order_limit,
                "sale_starts_at": t.sale_starts_at,
                "sale_ends_at": t.sale_ends_at,
            }
            for t in types
        ],
    }
