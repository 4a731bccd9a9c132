"""The booking unit of work: the shared transaction plus this service's repositories."""

from datetime import datetime
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from booking import db
from booking.domain.venue_booking import Space
from booking.sales_queries import SalesQueries
from eventbus.runtime import UnitOfWork


def _hot_statements() -> dict[str, Any]:
    """The statements of a hold, built once: building and keying them again on each of hundreds
    of holds a second costs more than running them."""
    e, t, o, i, w = db.events, db.ticket_types, db.orders, db.order_items, db.waiting_list
    waiting = sa.exists().where(w.c.ticket_type_id == t.c.id, w.c.status == "waiting")
    live = sa.or_(o.c.status == "paid", sa.and_(o.c.status == "held", o.c.expires_at >= sa.bindparam("now")))
    quantity = sa.bindparam("quantity", type_=sa.Integer)
    return {
        "event": sa.select(e).where(e.c.id == sa.bindparam("id")),
        "event_for_sale": sa.select(e)
        .where(e.c.id == sa.bindparam("id"))
        .with_for_update(read=True, key_share=True),
        "types": sa.select(t, waiting.label("waiting"))
        .where(t.c.event_id.in_(sa.bindparam("event_ids", expanding=True)))
        .order_by(t.c.event_id, t.c.position),
        "places_of_buyer": sa.select(sa.func.coalesce(sa.func.sum(i.c.quantity), 0))
        .select_from(o.join(i, i.c.order_id == o.c.id))
        .where(o.c.event_id == sa.bindparam("event_id"), o.c.buyer_key == sa.bindparam("buyer"), live),
        "add_order": o.insert(),
        "add_items": i.insert(),
        "take_quota": t.update()
        .where(t.c.id == sa.bindparam("type_id"), t.c.taken + quantity <= t.c.quota)
        .values(taken=t.c.taken + quantity)
        .returning(t.c.id),
    }


HOT = _hot_statements()

# Lock order: every use case that locks more than one of these takes them in this order, so that no
# two ever wait for each other: the venue booking → the event (FOR UPDATE to change it, FOR KEY
# SHARE to sell from it) → orders → ticket types (their quotas) → seats. Expiry, event cancellation
# and change, new orders, waiting-list offers and payments all keep it.

# What is paid through Stripe: each has payment_intent_id, paid_amount, refund_due and refunded_amount.
PAYABLE = {"venue_booking": db.venue_bookings, "order": db.orders}


class BookingUnitOfWork(SalesQueries, UnitOfWork):
    # --- spaces as venues announced them ---------------------------------------------------
    def save_space(self, snapshot: dict[str, Any]) -> None:
        self.conn.execute(
            insert(db.spaces)
            .values(id=snapshot["space_id"], venue_id=snapshot["venue_id"], snapshot=snapshot)
            .on_conflict_do_update(
                index_elements=["id"], set_={"snapshot": snapshot, "updated_at": sa.func.now()}
            )
        )

    def space(self, space_id: str) -> Space | None:
        row = self.conn.execute(sa.select(db.spaces.c.snapshot).where(db.spaces.c.id == space_id)).first()
        if row is None:
            return None
        s = row.snapshot
        return Space(
            s["space_id"],
            s["venue_id"],
            s["venue_status"],
            s["layout_kind"],
            s["capacity"],
            s["plots"],
            s["layout"],
            s["rules"],
        )

    # --- venue bookings ---------------------------------------------------------------------
    def add_booking(self, booking: dict[str, Any]) -> None:
        self.conn.execute(db.venue_bookings.insert().values(**booking))

    def booking(self, booking_id: str, lock: bool = False) -> Any:
        query = sa.select(db.venue_bookings).where(db.venue_bookings.c.id == booking_id)
        return self.conn.execute(query.with_for_update() if lock else query).first()

    def bookings_of(self, organiser_id: str | None, offset: int, limit: int) -> list[Any]:
        b = db.venue_bookings
        query = sa.select(b).order_by(b.c.created_at.desc(), b.c.id).offset(offset).limit(limit)
        if organiser_id is not None:
            query = query.where(b.c.organiser_id == organiser_id)
        return list(self.conn.execute(query))

    def update_booking(self, booking_id: str, **changes: Any) -> None:
        self.conn.execute(
            db.venue_bookings.update()
            .where(db.venue_bookings.c.id == booking_id)
            .values(**changes, updated_at=sa.func.now())
        )

    # --- what is paid through Stripe, and owed back ---------------------------------------------
    def refundable(self, kind: str, row_id: str) -> Any:
        t = PAYABLE[kind]
        return self.conn.execute(sa.select(t).where(t.c.id == row_id)).first()

    def remember_intent(self, kind: str, row_id: str, intent_id: str) -> None:
        t = PAYABLE[kind]
        self.conn.execute(t.update().where(t.c.id == row_id).values(payment_intent_id=intent_id))

    def mark_refunded(self, kind: str, row_id: str, amount: int) -> None:
        t = PAYABLE[kind]
        query = t.update().where(t.c.id == row_id, t.c.refunded_amount < amount)
        self.conn.execute(query.values(refunded_amount=amount))

    def mark_refund_refused(self, kind: str, row_id: str, reason: str, at: datetime) -> bool:
        """False when it was marked already (by a twin of the worker, or of the request)."""
        t = PAYABLE[kind]
        query = t.update().where(t.c.id == row_id, t.c.refund_refused_at.is_(None))
        marked = query.values(refund_refused_at=at, refund_refusal=reason).returning(t.c.id)
        return self.conn.execute(marked).first() is not None

    def refunds_owed(self, limit: int = 100) -> list[tuple[str, str]]:
        """(kind, id) of what owes a refund Stripe has not refused, the longest owed first."""
        owed = sa.union_all(
            *(
                sa.select(sa.literal(kind).label("kind"), t.c.id, t.c.updated_at).where(
                    t.c.refund_due > t.c.refunded_amount, t.c.refund_refused_at.is_(None)
                )
                for kind, t in PAYABLE.items()
            )
        ).subquery()
        query = sa.select(owed.c.kind, owed.c.id).order_by(owed.c.updated_at, owed.c.id).limit(limit)
        return [(kind, str(row_id)) for kind, row_id in self.conn.execute(query)]

    def refused_refunds(self, offset: int, limit: int) -> list[Any]:
        """The refunds Stripe refused, for staff: the oldest refusal first."""
        refused = sa.union_all(
            *(
                sa.select(
                    sa.literal(kind).label("kind"),
                    sa.cast(t.c.id, sa.Text).label("id"),
                    t.c.payment_intent_id,
                    (t.c.refund_due - t.c.refunded_amount).label("amount"),
                    t.c.refund_refusal.label("reason"),
                    t.c.refund_refused_at.label("refused_at"),
                ).where(t.c.refund_due > t.c.refunded_amount, t.c.refund_refused_at.is_not(None))
                for kind, t in PAYABLE.items()
            )
        ).subquery()
        query = sa.select(refused).order_by(refused.c.refused_at, refused.c.id).offset(offset).limit(limit)
        return list(self.conn.execute(query))

    def overdue(self, now: datetime) -> list[str]:
        t = db.venue_bookings
        query = sa.select(t.c.id).where(t.c.status == "awaiting_payment", t.c.payment_due_at < now)
        return [str(i) for i in self.conn.execute(query).scalars()]

    # --- idempotency keys -------------------------------------------------------------------
    def remembered(self, principal: str, key: str) -> Any:
        t = db.idempotency_keys
        return self.conn.execute(sa.select(t).where(t.c.principal == principal, t.c.key == key)).first()

    def remember(self, principal: str, key: str, request_hash: str, status: int, body: Any) -> bool:
        """False when a concurrent request with the same key got there first."""
        inserted = self.conn.execute(
            insert(db.idempotency_keys)
            .values(principal=principal, key=key, request_hash=request_hash, status=status, body=body)
            .on_conflict_do_nothing()
            .returning(db.idempotency_keys.c.key)
        ).first()
        return inserted is not None

    # --- the area tree ----------------------------------------------------------------------------
    def save_area(self, area_id: str, parent_id: str | None) -> None:
        self.conn.execute(
            insert(db.areas)
            .values(id=area_id, parent_id=parent_id)
            .on_conflict_do_update(index_elements=["id"], set_={"parent_id": parent_id})
        )

    def snapshot(self, space_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(sa.select(db.spaces.c.snapshot).where(db.spaces.c.id == space_id)).first()
        return None if row is None else dict(row.snapshot)

    # --- events and ticket types -----------------------------------------------------------------
    def add_event(
        self, event: dict[str, Any], types: list[dict[str, Any]], seats: list[dict[str, Any]]
    ) -> None:
        self.conn.execute(db.events.insert().values(**event))
        self.conn.execute(db.ticket_types.insert(), types)
        if seats:
            self.conn.execute(db.seats.insert(), seats)

    def event(self, event_id: str, lock: bool = False) -> Any:
        """`lock`: for a change of the event itself (publishing, changing, cancelling it)."""
        query = HOT["event"].with_for_update() if lock else HOT["event"]
        return self.conn.execute(query, {"id": event_id}).first()

    def event_for_sale(self, event_id: str) -> Any:
        """The event, as it stands once no change of it is under way: a sale (FOR KEY SHARE, which
        sales do not make each other wait for) and a change of the event (FOR UPDATE) wait for
        each other, so that nothing is sold from an event while it is being cancelled."""
        return self.conn.execute(HOT["event_for_sale"], {"id": event_id}).first()

    def events_on(self, booking_id: str) -> list[str]:
        """The events a venue booking carries that are not cancelled."""
        e = db.events
        query = sa.select(e.c.id).where(e.c.venue_booking_id == booking_id, e.c.status != "cancelled")
        return [str(i) for i in self.conn.execute(query).scalars()]

    def sessions_on(self, booking_id: str, besides: str | None = None) -> list[list[dict[str, datetime]]]:
        """The sessions of each event a venue booking carries that is not cancelled, but `besides`."""
        e = db.events
        query = sa.select(e.c.sessions).where(e.c.venue_booking_id == booking_id, e.c.status != "cancelled")
        if besides is not None:
            query = query.where(e.c.id != besides)
        return [
            [{k: datetime.fromisoformat(s[k]) for k in ("start", "end")} for s in sessions]
            for sessions in self.conn.execute(query).scalars()
        ]

    def update_event(self, event_id: str, **changes: Any) -> None:
        self.conn.execute(
            db.events.update().where(db.events.c.id == event_id).values(**changes, updated_at=sa.func.now())
        )

    def ticket_types(self, event_id: str) -> list[Any]:
        """An event's ticket types, each saying whether buyers wait for it."""
        return self.ticket_types_of([event_id]).get(event_id, [])

    def ticket_types_of(self, event_ids: list[str]) -> dict[str, list[Any]]:
        """The ticket types of several events at once, by event: a page of them in one statement."""
        rows = self.conn.execute(HOT["types"], {"event_ids": event_ids})
        return {event: list(types) for event, types in groupby(rows, key=lambda t: str(t.event_id))}

    def find_events(self, filters: dict[str, Any], offset: int, limit: int) -> list[Any]:
        e = db.events
        query = sa.select(e).where(e.c.status == "published")
        if filters.get("start"):
            query = query.where(e.c.ends_at >= filters["start"])
        if filters.get("end"):
            query = query.where(e.c.starts_at < filters["end"])
        if filters.get("area"):
            tree = sa.select(db.areas.c.id).where(db.areas.c.id == str(filters["area"])).cte(recursive=True)
            tree = tree.union(sa.select(db.areas.c.id).where(db.areas.c.parent_id == tree.c.id))
            query = query.where(e.c.area_id.in_(sa.select(tree.c.id)))
        for field in ("venue_kind", "category"):
            if filters.get(field):
                query = query.where(e.c[field] == filters[field])
        for word in (filters.get("q") or "").split():  # every word, anywhere, in any order
            query = query.where(e.c.search_text.contains(word, autoescape=True))
        query = query.order_by(e.c.starts_at, e.c.id).offset(offset).limit(limit)
        return list(self.conn.execute(query))

    def availability(self, event_id: str, now: datetime) -> list[Any]:
        """Per ticket type: what is left, counting lapsed holds the sweeper has not reached yet as
        free, and how many wait for it."""
        t, i, o, w = db.ticket_types, db.order_items, db.orders, db.waiting_list
        lapsed = (
            sa.select(sa.func.coalesce(sa.func.sum(i.c.quantity), 0))
            .select_from(i.join(o, o.c.id == i.c.order_id))
            .where(i.c.ticket_type_id == t.c.id, o.c.status == "held", o.c.expires_at < now)
            .scalar_subquery()
        )
        waiting = (
            sa.select(sa.func.count())
            .where(w.c.ticket_type_id == t.c.id, w.c.status == "waiting")
            .scalar_subquery()
        )
        s = db.seats
        free_seats = (
            sa.select(sa.func.count())
            .where(s.c.ticket_type_id == t.c.id, sa.not_(s.c.sold))
            .where(sa.or_(s.c.order_id.is_(None), s.c.held_until < now))
            .scalar_subquery()
        )
        left = sa.case((t.c.kind == "seated", free_seats), else_=t.c.quota - t.c.taken + lapsed)
        query = sa.select(t.c.id, t.c.kind, left.label("available"), waiting.label("waiting"))
        return list(self.conn.execute(query.where(t.c.event_id == event_id).order_by(t.c.position)))

    def seat_states(self, event_id: str, now: datetime, offset: int, limit: int) -> list[Any]:
        s = db.seats
        state = sa.case(
            (s.c.sold, "sold"),
            (sa.and_(s.c.order_id.is_not(None), s.c.held_until >= now), "held"),
            else_="available",
        )
        query = sa.select(s.c.id, s.c.label, s.c.ticket_type_id, s.c.accessible, state.label("state"))
        query = (
            query.where(s.c.event_id == event_id).order_by(s.c.position, s.c.id).offset(offset).limit(limit)
        )
        return list(self.conn.execute(query))

    # --- holding places: the guards against overselling -----------------------------------------
    def take_quota(self, type_id: str, quantity: int) -> bool:
        """One conditional UPDATE: concurrent buyers queue on the row and the last places go once."""
        taken = self.conn.execute(HOT["take_quota"], {"type_id": type_id, "quantity": quantity}).first()
        return taken is not None

    def follow_first_session(self, event_id: str, was: datetime, now_at: datetime) -> None:
        """Sales that closed as the first session began close as it now begins, and none stays open
        past it."""
        t = db.ticket_types
        moved = sa.or_(t.c.sale_ends_at == was, t.c.sale_ends_at > now_at)
        self.conn.execute(t.update().where(t.c.event_id == event_id, moved).values(sale_ends_at=now_at))

    def give_back_quota(self, type_id: str, quantity: int) -> None:
        t = db.ticket_types
        self.conn.execute(t.update().where(t.c.id == type_id).values(taken=t.c.taken - quantity))

    def take_seats(self, seat_ids: list[str], order_id: str, until: datetime, now: datetime) -> list[str]:
        """The named seats that were free, whose hold lapsed or that this order holds already, now
        held by this order."""
        s = db.seats
        free = sa.or_(
            s.c.order_id.is_(None),
            sa.and_(sa.not_(s.c.sold), sa.or_(s.c.held_until < now, s.c.order_id == order_id)),
        )
        locked = sa.select(s.c.id).where(s.c.id.in_(seat_ids), free).order_by(s.c.id).with_for_update()
        return self._hold_seats(locked, order_id, until)

    def take_any_seats(
        self, type_id: str, count: int, order_id: str, until: datetime, now: datetime
    ) -> list[str]:
        """The first `count` free seats of a ticket type, in seat-map order (for waiting-list offers)."""
        s = db.seats
        free = sa.or_(s.c.order_id.is_(None), sa.and_(sa.not_(s.c.sold), s.c.held_until < now))
        picked = (
            sa.select(s.c.id)
            .where(s.c.ticket_type_id == type_id, free)
            .order_by(s.c.position)
            .limit(count)
            .with_for_update(skip_locked=True)
        )
        return self._hold_seats(picked, order_id, until)

    def _hold_seats(self, locked: sa.Select, order_id: str, until: datetime) -> list[str]:
        """The seats `locked` picks and locks, held for the order. The pick is a materialised CTE,
        run once: as `id IN (subquery)`, the planner may rescan the subquery for each seat (a nested
        loop, when the statistics say few seats are free), and each rescan skips the seats the
        update has just changed and picks the next, so that a `LIMIT 1` held a whole hall."""
        s = db.seats
        picked = locked.cte("picked").prefix_with("MATERIALIZED")
        held = self.conn.execute(
            s.update()
            .where(s.c.id == picked.c.id)
            .values(order_id=order_id, held_until=until)
            .returning(s.c.id)
        )
        return [str(i) for i in held.scalars()]

    def seats(self, event_id: str, seat_ids: list[str]) -> list[Any]:
        s = db.seats
        query = sa.select(s).where(s.c.event_id == event_id, s.c.id.in_(seat_ids)).order_by(s.c.position)
        return list(self.conn.execute(query))

    def seats_of_order(self, order_id: str) -> list[Any]:
        s = db.seats
        return list(self.conn.execute(sa.select(s).where(s.c.order_id == order_id).order_by(s.c.position)))

    def sell_seats(self, order_id: str) -> None:
        s = db.seats
        self.conn.execute(s.update().where(s.c.order_id == order_id).values(sold=True, held_until=None))

    def release_seats(self, order_id: str) -> None:
        s = db.seats
        self.conn.execute(
            s.update().where(s.c.order_id == order_id).values(order_id=None, held_until=None, sold=False)
        )

    # --- orders ------------------------------------------------------------------------------------
    def lock_buyer(self, event_id: str, buyer_key: str, wait: bool = True) -> bool:
        """One buyer's orders for one event are placed one at a time, so their cap holds. Without
        `wait`: False at once if another transaction has the buyer."""
        return self.lock(f"{event_id}:{buyer_key}", wait)

    def places_of_buyer(self, event_id: str, buyer_key: str, now: datetime) -> int:
        params = {"event_id": event_id, "buyer": buyer_key, "now": now}
        return int(self.conn.execute(HOT["places_of_buyer"], params).scalar_one())

    def add_order(self, order: dict[str, Any], items: list[dict[str, Any]]) -> None:
        self.conn.execute(HOT["add_order"], order)
        self.conn.execute(HOT["add_items"], items)

    def order(self, order_id: str, lock: bool = False) -> Any:
        query = sa.select(db.orders).where(db.orders.c.id == order_id)
        return self.conn.execute(query.with_for_update() if lock else query).first()

    def order_items(self, order_id: str) -> list[Any]:
        i = db.order_items
        return list(
            self.conn.execute(sa.select(i).where(i.c.order_id == order_id).order_by(i.c.ticket_type_id))
        )

    def update_order(self, order_id: str, **changes: Any) -> None:
        self.conn.execute(
            db.orders.update().where(db.orders.c.id == order_id).values(**changes, updated_at=sa.func.now())
        )

    def next_lapsed_hold(self, now: datetime) -> Any | None:
        """The held order whose time ran out longest ago, locked, that no one else has locked."""
        o = db.orders
        query = (
            sa.select(o)
            .where(o.c.status == "held", o.c.expires_at < now)
            .order_by(o.c.expires_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return self.conn.execute(query).first()

    def orders_of_event(self, event_id: str, statuses: tuple[str, ...]) -> list[Any]:
        o = db.orders
        query = sa.select(o).where(o.c.event_id == event_id, o.c.status.in_(statuses)).with_for_update()
        return list(self.conn.execute(query.order_by(o.c.created_at)))

    # --- tickets -----------------------------------------------------------------------------------
    def add_tickets(self, tickets: list[dict[str, Any]]) -> None:
        self.conn.execute(db.tickets.insert(), tickets)

    def tickets_of(self, order_id: str) -> list[Any]:
        t = db.tickets
        query = sa.select(t).where(t.c.order_id == order_id).order_by(t.c.seat_label, t.c.code)
        return list(self.conn.execute(query))

    def void_tickets(self, order_id: str) -> None:
        t = db.tickets
        self.conn.execute(
            t.update().where(t.c.order_id == order_id, t.c.status == "valid").values(status="void")
        )

    def ticket(self, code: str) -> Any:
        return self.conn.execute(sa.select(db.tickets).where(db.tickets.c.code == code)).first()

    def valid_tickets(self, event_id: str) -> list[Any]:
        t = db.tickets
        query = sa.select(t.c.code, t.c.checked_in_at, t.c.checked_in_gate).where(
            t.c.event_id == event_id, t.c.status == "valid"
        )
        return list(self.conn.execute(query))

    def check_in(self, code: str, event_id: str, by: str, gate: str, at: datetime) -> Any:
        """Once only: the UPDATE that marks a ticket used succeeds for exactly one scan."""
        t = db.tickets
        return self.conn.execute(
            t.update()
            .where(
                t.c.code == code, t.c.event_id == event_id, t.c.status == "valid", t.c.checked_in_at.is_(None)
            )
            .values(checked_in_at=at, checked_in_by=by, checked_in_gate=gate)
            .returning(t)
        ).first()

    # --- the waiting list --------------------------------------------------------------------------
    def add_waiting(self, entry: dict[str, Any]) -> int:
        """The entry, and its place in the queue (1 is next)."""
        w = db.waiting_list
        self.conn.execute(w.insert().values(**entry))
        ahead = sa.select(sa.func.count()).where(
            w.c.ticket_type_id == entry["ticket_type_id"], w.c.status == "waiting"
        )
        return int(self.conn.execute(ahead).scalar_one())

    def waiting_of_buyer(self, event_id: str, email: str) -> list[Any]:
        """The entries of one email for one event still waiting or offered."""
        w = db.waiting_list
        live = w.c.status.in_(("waiting", "offered"))
        return list(self.conn.execute(sa.select(w).where(w.c.event_id == event_id, w.c.email == email, live)))

    def types_with_waiting(self) -> set[str]:
        w = db.waiting_list
        query = sa.select(w.c.ticket_type_id).where(w.c.status == "waiting").distinct()
        return {str(i) for i in self.conn.execute(query).scalars()}

    def next_waiting(self, type_id: str) -> Any:
        w = db.waiting_list
        query = (
            sa.select(w)
            .where(w.c.ticket_type_id == type_id, w.c.status == "waiting")
            .order_by(w.c.created_at, w.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return self.conn.execute(query).first()

    def ticket_type(self, type_id: str, lock: bool = False) -> Any:
        query = sa.select(db.ticket_types).where(db.ticket_types.c.id == type_id)
        return self.conn.execute(query.with_for_update() if lock else query).first()

    def update_waiting(self, entry_id: str, **changes: Any) -> None:
        w = db.waiting_list
        self.conn.execute(w.update().where(w.c.id == entry_id).values(**changes))

    def lapse_waiting(self, event_id: str) -> None:
        w = db.waiting_list
        self.conn.execute(
            w.update().where(w.c.event_id == event_id, w.c.status == "waiting").values(status="lapsed")
        )
