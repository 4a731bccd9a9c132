"""What the identity service tells booking of people: the email each has proved theirs, kept as a
read model of `identity.user.*`, under which a signed-in person finds the orders they placed as a
guest; and who is to be forgotten (`identity.user.erased`). Redelivered events are dropped by the
consumer loop; one person's events come in order, keyed by their id."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from booking import db
from booking.common import now
from booking.domain.ticketing import shown_status
from booking.unit_of_work import BookingUnitOfWork
from eventbus.auth import Principal
from eventbus.envelope import Envelope
from eventbus.erasure import ERASED, erase_mentions
from eventbus.own_data import rows


class People:
    """Booking's tables as they concern one person."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    def follow(self, user_id: str, verified_email: str | None) -> None:
        p = db.people
        self.conn.execute(
            insert(p)
            .values(user_id=user_id, verified_email=verified_email)
            .on_conflict_do_update(
                index_elements=[p.c.user_id],
                set_={"verified_email": verified_email, "updated_at": sa.func.now()},
            )
        )

    def _theirs(self, user_id: str) -> sa.ColumnElement[bool]:
        """Orders placed under their account, or as a guest with the email they proved (typed in
        whatever case at the checkout)."""
        o, p = db.orders, db.people
        proved = sa.select(p.c.verified_email).where(p.c.user_id == user_id).scalar_subquery()
        as_guest = sa.and_(o.c.buyer_id.is_(None), sa.func.lower(o.c.email) == sa.func.lower(proved))
        return sa.or_(o.c.buyer_id == user_id, as_guest)

    def owns(self, order_id: str, user_id: str) -> bool:
        query = sa.select(db.orders.c.id).where(db.orders.c.id == order_id, self._theirs(user_id))
        return self.conn.execute(query).first() is not None

    def orders_of(self, user_id: str, offset: int, limit: int) -> list[Any]:
        """Their orders, newest first, each with its event's title."""
        o, e = db.orders, db.events
        query = (
            sa.select(o, e.c.title)
            .join(e, e.c.id == o.c.event_id)
            .where(self._theirs(user_id))
            .order_by(o.c.created_at.desc(), o.c.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.conn.execute(query))

    def own_data(self, user_id: str) -> dict[str, Any]:
        """What booking holds of a person, as anonymise finds it: what it knows of them, their
        requests for venues, their events, their orders (a guest's under the email they proved)
        with what each holds and its tickets, their places on waiting lists, and the tickets they
        checked in at a door (not the buyers' codes)."""
        o, t, w, p = db.orders, db.tickets, db.waiting_list, db.people
        proved = sa.select(p.c.verified_email).where(p.c.user_id == user_id).scalar_subquery()
        orders = sa.select(o.c.id).where(self._theirs(user_id))
        return {
            "account": rows(self.conn, p, p.c.user_id == user_id),
            "venue_bookings": rows(self.conn, db.venue_bookings, db.venue_bookings.c.organiser_id == user_id),
            "events": rows(self.conn, db.events, db.events.c.organiser_id == user_id),
            "orders": rows(self.conn, o, self._theirs(user_id), leave_out=("token_hash", "buyer_key")),
            "order_items": rows(self.conn, db.order_items, db.order_items.c.order_id.in_(orders)),
            "tickets": rows(self.conn, t, t.c.order_id.in_(orders)),
            "waiting_list": rows(self.conn, w, sa.func.lower(w.c.email) == sa.func.lower(proved)),
            "checked_in": rows(self.conn, t, t.c.checked_in_by == user_id, leave_out=("code", "order_id")),
        }

    def anonymise(self, user_id: str) -> None:
        """Nothing keyed by their id stays theirs, nor their words, nor what booking knew of them:
        the bookings, events, orders and tickets keep their amounts, times, numbers and states."""
        b, e, o, t = db.venue_bookings, db.events, db.orders, db.tickets
        words = {"vi": ERASED, "en": ERASED}
        for statement in (
            db.people.delete().where(db.people.c.user_id == user_id),
            b.update()
            .where(b.c.organiser_id == user_id)
            .values(organiser_id=ERASED, title=ERASED, purpose=ERASED),
            e.update()
            .where(e.c.organiser_id == user_id)
            .values(organiser_id=ERASED, title=words, description=words, images=[], search_text=ERASED),
            o.update().where(o.c.buyer_id == user_id).values(buyer_id=ERASED, buyer_key=ERASED, email=ERASED),
            t.update().where(t.c.checked_in_by == user_id).values(checked_in_by=ERASED),
        ):
            self.conn.execute(statement)

    def forget_answers(self, principals: list[str]) -> None:
        """The answers kept for these callers' repeated requests: they carry addresses and tokens."""
        k = db.idempotency_keys
        self.conn.execute(k.delete().where(k.c.principal.in_(principals)))


def proved_email(user: dict[str, Any]) -> str | None:
    """The account's email once its owner proved it, None before: an address anyone may have typed
    at a checkout opens no orders."""
    return str(user["email"]) if user["email_verified"] else None


def follow_account(uow: BookingUnitOfWork, event: Envelope) -> None:
    People(uow.conn).follow(event.data["user_id"], proved_email(event.data))


def owns(uow: BookingUnitOfWork, principal: Principal, order: Any) -> bool:
    return People(uow.conn).owns(str(order.id), principal.sub)


def own_orders(
    uow: BookingUnitOfWork, principal: Principal, query: dict[str, Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the signed-in person's orders, whatever their role: those of their account and
    those they placed as a guest with the email they proved, newest first."""
    offset, limit = int(query["cursor"] or 0), query["limit"]
    with uow:
        rows = People(uow.conn).orders_of(principal.sub, offset, limit + 1)
    moment = now()
    items = [summary(r, moment) for r in rows[:limit]]
    return items, str(offset + limit) if len(rows) > limit else None


def own_data(uow: BookingUnitOfWork, principal: Principal) -> dict[str, Any]:
    with uow:
        return People(uow.conn).own_data(principal.sub)


def summary(order: Any, moment: datetime) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "event_id": str(order.event_id),
        "title": order.title,
        "status": shown_status(order.status, order.expires_at, moment),
        "email": order.email,
        "as_guest": order.buyer_id is None,
        "total": order.total,
        "currency": "VND",
        "refunded_amount": order.refunded_amount,
        "placed_at": order.created_at,
    }


def erase_person(uow: BookingUnitOfWork, event: Envelope) -> None:
    """Nothing of the person stays: not their id (as an organiser, a buyer or at the door), nor
    their words, nor any of their addresses anywhere (a guest's orders and waiting-list places
    among them), nor the dead letters that named them; every amount, date, number and state stays,
    so that every financial total does."""
    data = event.data
    people = People(uow.conn)
    people.anonymise(data["user_id"])
    people.forget_answers([data["user_id"], *(f"guest:{e.lower()}" for e in data["emails"])])
    erase_mentions(
        uow.conn, db.metadata, db.plumbing.dead_letters, data["user_id"], data["emails"], data["phones"]
    )
