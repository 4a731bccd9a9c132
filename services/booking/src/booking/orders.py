"""Use cases of orders: holding places, paying, issuing tickets, expiry, cancellation and refunds,
waiting-list offers and check-in at the door."""

import hashlib
import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from booking.common import NotFound, intent_for, now, remember, replayed
from booking.config import public_url
from booking.domain.ticketing import (
    SoldOut,
    check_order,
    code_from_qr,
    new_code,
    new_order_token,
    qr_payload,
    shown_status,
    token_hash,
)
from booking.domain.venue_booking import RequestRejected, TransitionRefused, refund_share
from booking.payments import Intent, Payments
from booking.people import owns
from booking.schemas import OrderCreated
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal

OFFER_WINDOW = timedelta(minutes=30)  # how long a waiting-list offer stands
ORDER_CREATED = OrderCreated()


class AlreadyUsed(Exception):
    def __init__(self, ticket: Any) -> None:
        super().__init__("already checked in")
        self.ticket = ticket


class CheckinRefused(Exception):
    pass


class NotYours(Exception):
    pass


def sessions(event: Any) -> list[dict[str, datetime]]:
    return [
        {"start": datetime.fromisoformat(s["start"]), "end": datetime.fromisoformat(s["end"])}
        for s in event.sessions
    ]


def show(event: Any) -> dict[str, Any]:
    """The event as every ticketing event on Kafka describes it."""
    return {
        "event_id": str(event.id),
        "organiser_id": event.organiser_id,
        "title": event.title,
        "category": event.category,
        "venue_id": str(event.venue_id),
        "venue_name": event.venue_name,
        "area_id": str(event.area_id),
        "sessions": sessions(event),
    }


# --- holding places ------------------------------------------------------------------------------
def place_order(
    uow: BookingUnitOfWork, principal: Principal | None, body: dict[str, Any], key: str | None, client: str
) -> tuple[int, dict[str, Any]]:
    """Holds what the buyer asks for, for the event's hold time, in one transaction: all of it or
    nothing. A free order is paid at once. The answer is kept as sent, for a retry to read: a
    guest's retry only from the same client, for the answer carries the order's token."""
    email = body["email"].lower()
    buyer = principal.sub if principal else f"guest:{email}"
    asked_by = body if principal else body | {"client": client}
    with uow:
        earlier = replayed(uow, buyer, key, asked_by)
        if earlier is not None:
            return earlier
        event_id, seat_ids = str(body["event_id"]), [str(s) for s in body["seats"]]
        event = uow.event_for_sale(event_id)
        if event is None:
            raise RequestRejected({"event_id": ["no such event"]})
        types = {str(t.id): t for t in uow.ticket_types(event_id)}
        seats = uow.seats(event_id, seat_ids) if seat_ids else []
        if len(seats) != len(seat_ids):
            raise RequestRejected({"seats": ["some seats are not seats of this event"]})
        items = [
            {"ticket_type_id": str(i["ticket_type_id"]), "quantity": i["quantity"]} for i in body["items"]
        ]
        moment = now()
        check_order(event, types, items, [str(s.ticket_type_id) for s in seats], moment)
        asked: dict[str, int] = {}
        for type_id, quantity in [(i["ticket_type_id"], i["quantity"]) for i in items] + [
            (str(s.ticket_type_id), 1) for s in seats
        ]:
            asked[type_id] = asked.get(type_id, 0) + quantity
        if any(types[t].waiting for t in asked):
            raise SoldOut("sold out: places that come back go to the waiting list first")
        uow.lock_buyer(event_id, buyer)
        if uow.places_of_buyer(event_id, buyer, moment) + sum(asked.values()) > event.per_buyer_limit:
            raise RequestRejected(
                {"items": [f"at most {event.per_buyer_limit} tickets per buyer for this event"]}
            )
        until = moment + timedelta(minutes=event.hold_minutes)
        order, items, token = _place(
            uow, event, types, asked, seats, until, email, body["language"], principal
        )
        if order["total"] == 0:
            _complete(uow, event, uow.order(order["id"]))
            answer = order_view(uow, uow.order(order["id"]))
        else:
            answer = _view(order, items, seats, [])
        answer = ORDER_CREATED.dump(answer | {"token": token})
        remember(uow, buyer, key, asked_by, 201, answer)
        _take_places(uow, types, asked, order["id"], seat_ids, until)
        uow.commit()
        return 201, answer


def _place(
    uow: BookingUnitOfWork,
    event: Any,
    types: dict[str, Any],
    asked: dict[str, int],
    seats: list[Any],
    until: datetime,
    email: str,
    language: str,
    principal: Principal | None = None,
    order_id: str | None = None,
    waiting_entry_id: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """The order and its items, and its token. Its places are taken apart, last of all, so that
    the hot row of a ticket type stays locked only up to the commit."""
    order_id = order_id or str(uuid.uuid4())
    token, hashed = new_order_token()
    items = [
        {"order_id": order_id, "ticket_type_id": t, "quantity": q, "unit_price": types[t].price}
        for t, q in sorted(asked.items())
    ]
    seat_ids = [str(s.id) for s in seats]
    order = {
        "id": order_id,
        "event_id": str(event.id),
        "buyer_id": principal.sub if principal else None,
        "email": email,
        "buyer_key": principal.sub if principal else f"guest:{email}",
        "language": language,
        "token_hash": hashed,
        "status": "held",
        "total": sum(i["quantity"] * i["unit_price"] for i in items),
        "expires_at": until,
        "seat_ids": seat_ids,
        "waiting_entry_id": waiting_entry_id,
        "refunded_amount": 0,
        "reason": None,
    }
    uow.add_order(order, items)
    _publish(uow, event, order, "held", items, [s.label for s in seats])
    return order, items, token


def _take_places(
    uow: BookingUnitOfWork,
    types: dict[str, Any],
    asked: dict[str, int],
    order_id: str,
    seat_ids: list[str],
    until: datetime,
) -> None:
    """The quotas, then the seats (the lock order: ticket types before seats), or SoldOut."""
    for type_id, quantity in sorted(asked.items()):
        if types[type_id].kind != "seated" and not uow.take_quota(type_id, quantity):
            raise SoldOut(f"{types[type_id].name['en']}: not enough left")
    if seat_ids:
        taken = uow.take_seats(seat_ids, order_id, until, now())
        if len(taken) < len(seat_ids):
            raise SoldOut("some seats are taken", sorted(set(seat_ids) - set(taken)))


def _retake(uow: BookingUnitOfWork, order: Any) -> bool:
    """The places of an order whose hold lapsed, taken again if nobody else has them: all or none."""
    types = {str(t.id): t for t in uow.ticket_types(str(order.event_id))}
    asked = {str(i.ticket_type_id): i.quantity for i in uow.order_items(str(order.id))}
    try:
        with uow.conn.begin_nested():
            _take_places(uow, types, asked, str(order.id), list(order.seat_ids), now() + timedelta(minutes=5))
    except SoldOut:
        return False
    return True


# --- paying and tickets ------------------------------------------------------------------------------
def start_payment(
    uow: BookingUnitOfWork, payments: Payments, order_id: str, token: str | None, principal: Principal | None
) -> Intent:
    """A PaymentIntent for the order's total; asking again returns the same one. Stripe is asked
    with no row locked: a payment that lands after the hold ran out is settled by its rules."""
    with uow:
        order = _readable(uow, order_id, token, principal)
        event = uow.event(str(order.event_id))
    if event.status != "published":
        raise TransitionRefused(f"the event is {event.status}: its orders take no payment")
    if order.status != "held" or order.expires_at < now():
        raise TransitionRefused(f"a {order.status} order takes no payment (its hold may have run out)")
    if order.total == 0:
        raise TransitionRefused("a free order needs no payment")
    return intent_for(uow, payments, "order", order, order.total)


def settle_payment(uow: BookingUnitOfWork, intent: Intent, row_id: str) -> str:
    """A succeeded payment makes the order paid and issues its tickets, once. One that comes after
    the hold lapsed is honoured if the places are still free, and refunded in full otherwise."""
    order_id = row_id
    known = uow.order(order_id)
    if known is None or known.payment_intent_id != intent.id:
        return "ignored"
    event = uow.event_for_sale(str(known.event_id))  # the event before its order: the lock order
    order = uow.order(order_id, lock=True)
    if order.paid_amount:
        return "already applied"
    if order.status == "held" and order.expires_at < now():  # lapsed, and the sweeper not there yet
        close(uow, event, order, "expired", "not paid before the hold ran out")
        order = uow.order(order_id, lock=True)
    if order.status == "held" and event.status != "published":  # left held as its event ended
        uow.update_order(order_id, paid_amount=intent.amount)
        reason = f"paid for an event that is {event.status}; refunded in full"
        close(uow, event, order, "cancelled", reason, intent.amount)
    elif order.status == "held" and intent.amount == order.total:
        _complete(uow, event, order)
    elif (
        order.status == "expired"
        and intent.amount == order.total
        and event.status == "published"
        and _retake(uow, order)
    ):
        _complete(uow, event, order, "paid after the hold ran out; the places were still free")
    else:
        reason = f"paid after the order was {order.status}; refunded in full"
        uow.update_order(order_id, paid_amount=intent.amount, refund_due=intent.amount, reason=reason)
        items, _ = _contents(uow, order_id)  # its seats went back to sale when the hold ran out
        seats = uow.seats(str(order.event_id), list(order.seat_ids)) if order.seat_ids else []
        labels = [s.label for s in seats]
        _publish(uow, event, order._mapping, "refunded", items, labels, refund=intent.amount, reason=reason)
    return "applied"


def _complete(uow: BookingUnitOfWork, event: Any, order: Any, reason: str | None = None) -> None:
    """Paid: the seats are sold and every place becomes a ticket with its own code."""
    order_id = str(order.id)
    uow.update_order(order_id, status="paid", paid_amount=order.total, reason=reason)
    uow.sell_seats(order_id)
    items, seats = _contents(uow, order_id)
    seated = {str(s.ticket_type_id) for s in seats}
    tickets = [
        {"ticket_type_id": str(s.ticket_type_id), "seat_id": str(s.id), "seat_label": s.label} for s in seats
    ] + [
        {"ticket_type_id": i["ticket_type_id"], "seat_id": None, "seat_label": None}
        for i in items
        if i["ticket_type_id"] not in seated
        for _ in range(i["quantity"])
    ]
    issued = [
        t | {"code": new_code(), "order_id": order_id, "event_id": str(event.id), "status": "valid"}
        for t in tickets
    ]
    uow.add_tickets(issued)
    paid = {**order._mapping, "status": "paid", "reason": reason}
    labels = [s.label for s in seats]
    _publish(uow, event, paid, "paid", items, labels, reason=reason)
    links = [
        {
            "code": t["code"],
            "ticket_type_id": t["ticket_type_id"],
            "seat": t["seat_label"],
            "url": ticket_url(t["code"]),
            "qr_url": ticket_url(t["code"], "/qr.svg"),
        }
        for t in issued
    ]
    _publish(uow, event, paid, "issued", items, labels, tickets=links)


def ticket_url(code: str, suffix: str = "") -> str:
    return f"{public_url()}/v1/tickets/{code}{suffix}"


# --- endings: expiry, cancellation, refunds --------------------------------------------------------
def close(uow: BookingUnitOfWork, event: Any, order: Any, status: str, reason: str, refund: int = 0) -> None:
    """The order ends: its places go back to sale, its tickets are void, and what it owes back
    is recorded for the refund that follows the commit."""
    items, seats = _contents(uow, str(order.id))
    if order.status in ("held", "paid"):
        kinds = {str(t.id): t.kind for t in uow.ticket_types(str(event.id))}
        for item in sorted(items, key=lambda i: str(i["ticket_type_id"])):  # as quotas are taken
            if kinds[item["ticket_type_id"]] != "seated":
                uow.give_back_quota(item["ticket_type_id"], item["quantity"])
        uow.release_seats(str(order.id))
        uow.void_tickets(str(order.id))
    uow.update_order(str(order.id), status=status, reason=reason, refund_due=refund)
    if order.waiting_entry_id and order.status == "held":
        uow.update_waiting(str(order.waiting_entry_id), status="lapsed")
    changed = {**order._mapping, "status": status}
    _publish(uow, event, changed, status, items, [s.label for s in seats], refund=refund, reason=reason)


def tell_of_change(uow: BookingUnitOfWork, event: Any, order: Any, reason: str | None) -> None:
    """A buyer's order stands as it was, for an event that changed (its time, its words)."""
    items, seats = _contents(uow, str(order.id))
    _publish(uow, event, order._mapping, "event_changed", items, [s.label for s in seats], reason=reason)


def expire_holds(uow: BookingUnitOfWork, most: int = 500) -> int:
    """The sweeper: holds past their time give their places back, one order a transaction, so
    that it never holds one order's seats while it waits for another's quota (the lock order)."""
    for expired in range(most):
        with uow:
            order = uow.next_lapsed_hold(now())
            if order is None:
                return expired
            close(uow, uow.event(str(order.event_id)), order, "expired", "not paid before the hold ran out")
            uow.commit()
    return most


def cancel_order(
    uow: BookingUnitOfWork, order_id: str, token: str | None, principal: Principal | None
) -> dict[str, Any]:
    """The buyer lets go: a hold ends at once; a paid order owes a refund by the event's policy,
    which the worker pays."""
    with uow:
        order = _readable(uow, order_id, token, principal, lock=True)
        event = uow.event(str(order.event_id))
        if order.status not in ("held", "paid"):
            raise TransitionRefused(f"a {order.status} order cannot be cancelled")
        share = refund_share(event.refund_policy, event.starts_at, now())
        if order.status == "paid" and order.paid_amount and share == 0:
            raise TransitionRefused("the event's refund policy no longer allows a refund")
        refund = math.floor(order.paid_amount * share)
        close(uow, event, order, "cancelled", "cancelled by the buyer", refund)
        uow.commit()
        return order_view(uow, uow.order(order_id))


def offer_returned_places(uow: BookingUnitOfWork) -> int:
    """The sweeper: places that came back go to the waiting list in order, each entry's whole
    quantity at once, held for it as an order that paying accepts; one ticket type a transaction,
    so that it never holds one type's seats while it waits for another's quota (the lock order)."""
    with uow:
        waiting = sorted(uow.types_with_waiting())
    offered = 0
    for type_id in waiting:
        with uow:
            offered += _offer_places_of(uow, type_id)
            uow.commit()
    return offered


def _offer_places_of(uow: BookingUnitOfWork, type_id: str) -> int:
    offered = 0
    event = uow.event_for_sale(str(uow.ticket_type(type_id).event_id))
    ticket_type = uow.ticket_type(type_id, lock=True)
    if event.status != "published":
        return 0
    while (entry := uow.next_waiting(type_id)) is not None:
        buyer = f"guest:{entry.email}"
        # tried, not awaited: an order being placed has its buyer and waits for this type
        if not uow.lock_buyer(str(event.id), buyer, wait=False):
            break
        if uow.places_of_buyer(str(event.id), buyer, now()) + entry.quantity > event.per_buyer_limit:
            uow.update_waiting(str(entry.id), status="lapsed")  # the buyer has their share
            continue
        if not _offer(uow, event, ticket_type, entry):
            break
        offered += 1
    return offered


def _offer(uow: BookingUnitOfWork, event: Any, ticket_type: Any, entry: Any) -> bool:
    order_id, until = str(uuid.uuid4()), now() + OFFER_WINDOW
    type_id = str(ticket_type.id)
    try:
        with uow.conn.begin_nested():
            seats: list[Any] = []
            if ticket_type.kind == "seated":
                seat_ids = uow.take_any_seats(type_id, entry.quantity, order_id, until, now())
                if len(seat_ids) < entry.quantity:
                    raise SoldOut("not enough seats came back")
                seats = uow.seats(str(event.id), seat_ids)
            types, asked = {type_id: ticket_type}, {type_id: entry.quantity}
            order, items, token = _place(
                uow,
                event,
                types,
                asked,
                seats,
                until,
                entry.email,
                entry.language,
                order_id=order_id,
                waiting_entry_id=str(entry.id),
            )
            _take_places(uow, types, asked, order_id, [str(s.id) for s in seats], until)
    except SoldOut:
        return False
    uow.update_waiting(str(entry.id), status="offered", order_id=order_id)
    labels = [s.label for s in seats]
    _publish(uow, event, order, "offered", items, labels, token=token, entry_id=str(entry.id))
    return True


# --- reading an order ------------------------------------------------------------------------------
def _readable(
    uow: BookingUnitOfWork, order_id: str, token: str | None, principal: Principal | None, lock: bool = False
) -> Any:
    """The order, for whoever holds its token, its buyer (by account, or by the email of a guest
    order once they proved it theirs) or staff; nobody else learns that it exists."""
    order = uow.order(order_id, lock)
    allowed = order is not None and (
        (token is not None and token_hash(token) == order.token_hash)
        or (principal is not None and (principal.role == "staff" or owns(uow, principal, order)))
    )
    if not allowed:
        raise NotFound(order_id)
    return order


def get_order(
    uow: BookingUnitOfWork, order_id: str, token: str | None, principal: Principal | None
) -> dict[str, Any]:
    with uow:
        return order_view(uow, _readable(uow, order_id, token, principal))


def order_view(uow: BookingUnitOfWork, order: Any) -> dict[str, Any]:
    items, seats = _contents(uow, str(order.id))
    return _view(order._mapping, items, seats, uow.tickets_of(str(order.id)))


def _contents(uow: BookingUnitOfWork, order_id: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """What an order asked for, and the seats it holds or owns."""
    items = [
        {"ticket_type_id": str(i.ticket_type_id), "quantity": i.quantity, "unit_price": i.unit_price}
        for i in uow.order_items(order_id)
    ]
    return items, uow.seats_of_order(order_id)


def _view(order: Any, items: list[dict[str, Any]], seats: list[Any], tickets: list[Any]) -> dict[str, Any]:
    return {
        "id": str(order["id"]),
        "event_id": str(order["event_id"]),
        "status": shown_status(order["status"], order["expires_at"], now()),
        "email": order["email"],
        "total": order["total"],
        "currency": "VND",
        "expires_at": order["expires_at"],
        "items": [{k: i[k] for k in ("ticket_type_id", "quantity", "unit_price")} for i in items],
        "seats": [{"id": str(s.id), "label": s.label} for s in seats],
        "tickets": [
            {
                "code": t.code,
                "ticket_type_id": str(t.ticket_type_id),
                "seat": t.seat_label,
                "status": t.status,
                "checked_in_at": t.checked_in_at,
                "qr_url": ticket_url(t.code, "/qr.svg"),
                "print_url": ticket_url(t.code),
            }
            for t in tickets
        ],
        "refunded_amount": order["refunded_amount"],
        "reason": order["reason"],
    }


def _publish(
    uow: BookingUnitOfWork,
    event: Any,
    order: Any,
    status: str,
    items: list[dict[str, Any]],
    seat_labels: list[str],
    refund: int = 0,
    reason: str | None = None,
    tickets: list[dict[str, Any]] | None = None,
    token: str | None = None,
    entry_id: str | None = None,
) -> None:
    order_id = str(order["id"])
    data = show(event) | {
        "order_id": order_id,
        "status": order["status"],
        "buyer_id": order["buyer_id"],
        "email": order["email"],
        "language": order["language"],
        "items": [{k: i[k] for k in ("ticket_type_id", "quantity", "unit_price")} for i in items],
        "seats": seat_labels,
        "total": order["total"],
        "currency": "VND",
        "expires_at": order["expires_at"],
        "refund": refund,
        "reason": reason,
        "order_url": f"{public_url()}/v1/orders/{order_id}" + (f"?token={token}" if token else ""),
    }
    if tickets is not None:
        uow.publish("booking.tickets.issued", order_id, data | {"tickets": tickets})
    elif entry_id is not None:
        uow.publish("booking.waitlist.offered", order_id, data | {"waiting_entry_id": entry_id})
    else:
        uow.publish(f"booking.order.{status}", order_id, data)


# --- the door --------------------------------------------------------------------------------------
def check_in(
    uow: BookingUnitOfWork, principal: Principal, body: dict[str, Any], key: bytes
) -> dict[str, Any]:
    """A ticket is let in once: the second scan learns when and at which gate the first was. The
    door takes the ticket's signed QR from anyone who runs it; a typed code only from staff or the
    venue's manager (the organiser's volunteers scan); either only for the event it names."""
    code = body["code"] or code_from_qr(key, body["qr"])
    if code is None:
        raise RequestRejected({"qr": ["not the QR code of a ticket of ours"]})
    event_id = str(body["event_id"])
    with uow:
        event = _door_of(uow, principal, event_id)
        if body["code"] is not None and principal.role == "organiser":
            # a code can be read off a screen or a page's address; its signed QR cannot be made from it
            raise RequestRejected(
                {"code": ["only staff or the venue's manager may type a code: scan its QR"]}
            )
        ticket = uow.check_in(code, event_id, principal.sub, body["gate"], now())
        if ticket is not None:
            uow.publish(
                "booking.ticket.checked_in",
                code,
                {
                    "code": code,
                    "event_id": event_id,
                    "order_id": str(ticket.order_id),
                    "ticket_type_id": str(ticket.ticket_type_id),
                    "venue_id": str(event.venue_id),
                    "seat": ticket.seat_label,
                    "checked_in_at": ticket.checked_in_at,
                    "checked_in_by": principal.sub,
                    "gate": ticket.checked_in_gate,
                },
            )
            uow.commit()
            return _checkin_view(ticket)
        ticket = uow.ticket(code)
    if ticket is None:
        raise NotFound(code)
    if str(ticket.event_id) != event_id:
        raise CheckinRefused("this ticket is for another event")
    if ticket.status != "valid":
        raise CheckinRefused("this ticket was cancelled or refunded")
    raise AlreadyUsed(_checkin_view(ticket))


def _door_of(uow: BookingUnitOfWork, principal: Principal, event_id: str) -> Any:
    """The event, for those who run its door: staff, its organiser, its venue's managers."""
    event = uow.event(event_id)
    if event is None:
        raise NotFound(event_id)
    if not (
        principal.role == "staff"
        or (principal.role == "organiser" and principal.sub == event.organiser_id)
        or (principal.role == "venue_manager" and str(event.venue_id) in principal.venues)
    ):
        raise NotFound(event_id) if event.status == "draft" else NotYours(event_id)  # drafts are unseen
    return event


def door_list(uow: BookingUnitOfWork, principal: Principal, event_id: str) -> list[dict[str, Any]]:
    """What a door needs to go on checking this event's tickets while its network is down: each
    valid ticket by a digest of its code (a lost phone gives away no code), and whether and where
    it was used."""
    with uow:
        _door_of(uow, principal, event_id)
        return [
            {"key": ticket_key(t.code), "checked_in_at": t.checked_in_at, "gate": t.checked_in_gate}
            for t in uow.valid_tickets(event_id)
        ]


def ticket_key(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()[:32]


def _checkin_view(ticket: Any) -> dict[str, Any]:
    return {
        "code": ticket.code,
        "event_id": str(ticket.event_id),
        "ticket_type_id": str(ticket.ticket_type_id),
        "seat": ticket.seat_label,
        "checked_in_at": ticket.checked_in_at,
        "gate": ticket.checked_in_gate,
    }


def printable_ticket(uow: BookingUnitOfWork, code: str, key: bytes) -> dict[str, Any]:
    """What an e-ticket shows: the event, when and where, the seat, and the signed QR payload."""
    with uow:
        ticket = uow.ticket(code)
        if ticket is None:
            raise NotFound(code)
        event = uow.event(str(ticket.event_id))
        ticket_type = uow.ticket_type(str(ticket.ticket_type_id))
    return {
        "code": code,
        "status": ticket.status,
        "seat": ticket.seat_label,
        "ticket_type": ticket_type.name,
        "title": event.title,
        "venue_name": event.venue_name,
        "sessions": sessions(event),
        "qr": qr_payload(key, code),
    }
