"""The organiser's side of their events: the list of them, drafts and cancelled ones too, and
each one's sales (what is sold, held, free and checked in per ticket type, the revenue, and the
paid orders that the buyers' list is made of)."""

from typing import Any

from booking.common import now
from booking.ticketing import event_view, own_event
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal


def my_events(uow: BookingUnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    with uow:
        found = uow.events_of(principal.sub)
        types = uow.ticket_types_of([str(e.id) for e in found])
        return [event_view(e, types.get(str(e.id), [])) for e in found]


def sales(uow: BookingUnitOfWork, principal: Principal, event_id: str) -> dict[str, Any]:
    with uow:
        own_event(uow, principal, event_id, lock=False)
        types = [
            {
                "id": str(t.id),
                "name": t.name,
                "price": t.price,
                "quota": t.quota,
                "sold": t.sold,
                "held": t.held,
                "free": max(t.quota - t.sold - t.held, 0),
                "checked_in": t.checked_in,
                "revenue": t.revenue,
            }
            for t in uow.sales(event_id, now())
        ]
        orders = [
            {
                "id": str(o.id),
                "email": o.email,
                "items": o.items or [],
                "total": o.total,
                "paid_at": o.updated_at,
                "checked_in": o.checked_in,
            }
            for o in uow.paid_orders(event_id)
        ]
    return {
        "event_id": event_id,
        "ticket_types": types,
        "revenue": sum(t["revenue"] for t in types),
        "currency": "VND",
        "orders": orders,
    }
