"""What an organiser reads of their events: the events themselves, whatever their state, and
what each sold: places per ticket type (sold, held, checked in), revenue, the paid orders."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from booking import db


class SalesQueries:
    """Read-only queries of the booking unit of work (its transaction's `conn`)."""

    conn: sa.Connection

    def events_of(self, organiser_id: str) -> list[Any]:
        e = db.events
        query = sa.select(e).where(e.c.organiser_id == organiser_id).order_by(e.c.starts_at.desc(), e.c.id)
        return list(self.conn.execute(query))

    def sales(self, event_id: str, now: datetime) -> list[Any]:
        """Per ticket type, in its order: places of paid orders and of holds not lapsed, tickets
        checked in, and what the paid places brought."""
        t, i, o, k = db.ticket_types, db.order_items, db.orders, db.tickets
        ordered = i.join(o, o.c.id == i.c.order_id)

        def of_orders(total: Any, *where: Any) -> Any:
            found = sa.select(sa.func.coalesce(sa.func.sum(total), 0)).select_from(ordered)
            return found.where(i.c.ticket_type_id == t.c.id, *where).scalar_subquery()

        checked_in = (
            sa.select(sa.func.count())
            .where(k.c.ticket_type_id == t.c.id, k.c.status == "valid", k.c.checked_in_at.is_not(None))
            .scalar_subquery()
        )
        query = sa.select(
            t.c.id,
            t.c.name,
            t.c.price,
            t.c.quota,
            of_orders(i.c.quantity, o.c.status == "paid").label("sold"),
            of_orders(i.c.quantity, o.c.status == "held", o.c.expires_at >= now).label("held"),
            checked_in.label("checked_in"),
            of_orders(i.c.quantity * i.c.unit_price, o.c.status == "paid").label("revenue"),
        )
        return list(self.conn.execute(query.where(t.c.event_id == event_id).order_by(t.c.position)))

    def paid_orders(self, event_id: str) -> list[Any]:
        """The event's paid orders, oldest first: who bought what, for how much, how many are in."""
        o, i, k = db.orders, db.order_items, db.tickets
        items = (
            sa.select(
                sa.func.jsonb_agg(
                    sa.func.jsonb_build_object("ticket_type_id", i.c.ticket_type_id, "quantity", i.c.quantity)
                )
            )
            .where(i.c.order_id == o.c.id)
            .scalar_subquery()
        )
        checked_in = (
            sa.select(sa.func.count())
            .where(k.c.order_id == o.c.id, k.c.status == "valid", k.c.checked_in_at.is_not(None))
            .scalar_subquery()
        )
        query = sa.select(
            o.c.id, o.c.email, o.c.total, o.c.updated_at, items.label("items"), checked_in.label("checked_in")
        ).where(o.c.event_id == event_id, o.c.status == "paid")
        return list(self.conn.execute(query.order_by(o.c.created_at, o.c.id)))
