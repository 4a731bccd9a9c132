"""The notifications unit of work: the shared transaction plus this service's tables."""

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from eventbus.own_data import rows
from eventbus.runtime import UnitOfWork
from notifications import db

ADD = insert(db.notifications).on_conflict_do_nothing()  # compiled once, sent as one batch
# What an anonymised message keeps of its event: what it was and when, not whom it was about.
ENVELOPE_KEPT = ("id", "type", "time", "source", "specversion")


class NotificationsUnitOfWork(UnitOfWork):
    def contact(self, recipient: str) -> Any:
        return self.conn.execute(sa.select(db.contacts).where(db.contacts.c.recipient == recipient)).first()

    def save_contact(self, recipient: str, **fields: Any) -> None:
        self.conn.execute(
            insert(db.contacts)
            .values(recipient=recipient, **fields)
            .on_conflict_do_update(index_elements=["recipient"], set_={**fields, "updated_at": sa.func.now()})
        )

    def forget_contact(self, recipient: str) -> None:
        """A person's contact details and webhooks."""
        self.conn.execute(db.contacts.delete().where(db.contacts.c.recipient == recipient))
        self.conn.execute(db.webhooks.delete().where(db.webhooks.c.recipient == recipient))

    def webhooks_of(self, recipient: str) -> list[str]:
        w = db.webhooks
        return [
            str(i) for i in self.conn.execute(sa.select(w.c.id).where(w.c.recipient == recipient)).scalars()
        ]

    def lock_webhooks_of(self, recipient: str) -> None:
        """Until the transaction ends: an organiser's webhooks are counted and added one at a time."""
        self.lock("webhooks: " + recipient)

    def add_webhook(self, hook: dict[str, Any]) -> None:
        self.conn.execute(db.webhooks.insert().values(**hook))

    def add(self, notifications: list[dict[str, Any]]) -> None:
        """What this event already gave a person on a channel is left as it was."""
        self.conn.execute(ADD, notifications)

    def settle(self, about: str, templates: tuple[str, ...]) -> None:
        """Reminders still pending about something that no longer needs them are called off."""
        n = db.notifications
        self.conn.execute(
            n.update()
            .where(n.c.about == about, n.c.template.in_(templates), n.c.status == "pending")
            .values(status="cancelled")
        )

    def anonymise_messages(self, user_id: str, aliases: list[str], addresses: list[str]) -> None:
        """Every message to a person, by their id, another recipient id of theirs or one of their
        addresses (either whatever its case: an email typed Me@Example.vn at a checkout), keeps
        its id, times, status and template under their id, and nothing that said who or where
        they are; what was still to be sent is called off."""
        n = db.notifications
        kept = sa.func.jsonb_build_object(*[part for k in ENVELOPE_KEPT for part in (k, n.c.source[k])])
        self.conn.execute(
            n.update()
            .where(_messages_to(user_id, aliases, addresses))
            .values(
                recipient=user_id,
                address=None,
                subject="",
                body="",
                attachment=None,
                last_error=None,  # a refusal may quote the address
                source=kept,
                status=sa.case((n.c.status == "pending", "cancelled"), else_=n.c.status),
            )
        )

    def own_data(self, user_id: str, aliases: list[str], addresses: list[str]) -> dict[str, Any]:
        """What this service holds of a person: their contact details, their webhooks (not their
        secrets) and every message to them, as anonymise_messages finds them."""
        c, w, n = db.contacts, db.webhooks, db.notifications
        return {
            "contact": rows(self.conn, c, c.c.recipient == user_id),
            "webhooks": rows(self.conn, w, w.c.recipient == user_id, leave_out=("secret",)),
            "messages": rows(self.conn, n, _messages_to(user_id, aliases, addresses), leave_out=("source",)),
        }

    def blank_dead_letters(self, mentioned: list[str]) -> None:
        """The dead letters whose event names any of these (as a JSON string) lose their payload
        and error; the row stays, to count."""
        d = db.plumbing.dead_letters
        named = [json.dumps(m, ensure_ascii=False).encode() for m in mentioned]
        # LIKE's wildcards in an address are the characters themselves (no autoescape for bytes)
        escaped = [m.replace(b"\\", b"\\\\").replace(b"%", b"\\%").replace(b"_", b"\\_") for m in named]
        self.conn.execute(
            d.update()
            .where(sa.or_(*(d.c.payload.like(b"%" + m + b"%") for m in escaped)))
            .values(payload=None, error="erased: it named a person who asked to be forgotten")
        )

    def add_waiting(self, review: dict[str, Any]) -> None:
        self.conn.execute(insert(db.waiting_reviews).values(**review).on_conflict_do_nothing())

    def remove_waiting(self, venue_booking_id: str) -> None:
        w = db.waiting_reviews
        self.conn.execute(w.delete().where(w.c.venue_booking_id == venue_booking_id))

    def waiting_at(self, moment: datetime) -> list[Any]:
        """What waited for each manager at `moment`, oldest first, for the managers not yet sent
        that day's digest."""
        query = sa.text(
            "SELECT m.manager, w.venue_booking_id, w.start, w.end, w.since"
            " FROM waiting_reviews w, jsonb_array_elements_text(w.managers) AS m(manager)"
            " WHERE w.since <= :moment AND NOT EXISTS (SELECT 1 FROM notifications n"
            "  WHERE n.recipient = m.manager AND n.template = 'review_digest'"
            "  AND n.source -> 'data' ->> 'day' = :day)"
            " ORDER BY m.manager, w.since"
        )
        return list(self.conn.execute(query, {"moment": moment, "day": moment.date().isoformat()}))

    def due(self, channel: str, now: datetime, limit: int = 5) -> list[Any]:
        n = db.notifications
        query = (
            sa.select(*[c for c in n.c if c.name != "source"])  # the event is read only should all fail
            .where(n.c.channel == channel, _due(n, now))
            .order_by(n.c.send_after)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.conn.execute(query))

    def due_webhooks(self, now: datetime) -> list[Any]:
        """The oldest webhook message due whose destination no other sender is posting to: the
        webhook's row is locked with it, so that one slow receiver holds up one sender only."""
        n, w = db.notifications, db.webhooks
        query = (
            sa.select(n, w.c.url, w.c.secret)
            .join(w, w.c.id == sa.cast(n.c.address, w.c.id.type))
            .where(n.c.channel == "webhook", _due(n, now), ~_being_sent_to(n.c.address, now))
            .order_by(n.c.send_after)
            .limit(1)
            .with_for_update(of=[n, w], skip_locked=True)
        )
        return list(self.conn.execute(query))

    def lease(self, notification_ids: list[str], until: datetime) -> None:
        """Each message leased to this sender until then. One still leased (its lease ran out:
        outcomes clear it) had a sender that died before writing down what happened, perhaps
        after sending it: that attempt is counted unconfirmed."""
        n = db.notifications
        retaken = sa.case((n.c.leased_until.is_not(None), 1), else_=0)
        leased = {"leased_until": until, "unconfirmed": n.c.unconfirmed + retaken}
        self.conn.execute(n.update().where(n.c.id.in_(notification_ids)).values(**leased))

    def count_unconfirmed(self, notification_id: str) -> None:
        """An attempt that may have delivered the message although it failed."""
        n = db.notifications
        self.conn.execute(n.update().where(n.c.id == notification_id).values(unconfirmed=n.c.unconfirmed + 1))

    def mark_sent(self, notification_ids: list[str], at: datetime) -> None:
        n = db.notifications
        self.conn.execute(
            n.update()
            .where(n.c.id.in_(notification_ids))
            .values(status="sent", attempts=n.c.attempts + 1, sent_at=at, leased_until=None)
        )

    def source(self, notification_id: str) -> dict[str, Any]:
        n = db.notifications
        return dict(self.conn.execute(sa.select(n.c.source).where(n.c.id == notification_id)).scalar_one())

    def update(self, notification_id: str, **changes: Any) -> None:
        n = db.notifications
        self.conn.execute(n.update().where(n.c.id == notification_id).values(**changes))

    def inbox(self, recipient: str, offset: int, limit: int) -> list[Any]:
        n = db.notifications
        query = (
            sa.select(n)
            .where(n.c.recipient == recipient, n.c.channel == "inbox", n.c.send_after <= sa.func.now())
            .order_by(n.c.created_at.desc(), n.c.id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.conn.execute(query))

    def mark_read(self, notification_id: str, recipient: str | None, now: datetime) -> Any:
        n = db.notifications
        query = n.update().where(n.c.id == notification_id).values(read_at=sa.func.coalesce(n.c.read_at, now))
        if recipient is not None:
            query = query.where(n.c.recipient == recipient)
        return self.conn.execute(query.returning(n)).first()


def _messages_to(user_id: str, aliases: list[str], addresses: list[str]) -> sa.ColumnElement[bool]:
    """A person's messages: by their id, another recipient id of theirs or one of their addresses
    (either whatever its case: an email typed Me@Example.vn at a checkout)."""
    n = db.notifications
    return sa.or_(
        n.c.recipient == user_id,
        sa.func.lower(n.c.recipient).in_([a.lower() for a in aliases]),
        sa.func.lower(n.c.address).in_([a.lower() for a in addresses]),
    )


def _due(n: sa.Table, now: datetime) -> sa.ColumnElement[bool]:
    """Pending, its moment come, and leased to no sender (or its sender's lease ran out: the
    sender died between sending and writing down what happened)."""
    free = sa.or_(n.c.leased_until.is_(None), n.c.leased_until <= now)
    return sa.and_(n.c.status == "pending", n.c.send_after <= now, free)


def _being_sent_to(address: sa.ColumnElement[Any], now: datetime) -> sa.ColumnElement[bool]:
    """Another message to the same webhook is out with a sender."""
    other = db.notifications.alias("other")
    busy = sa.and_(other.c.channel == "webhook", other.c.address == address, other.c.leased_until > now)
    return sa.exists().where(busy, other.c.status == "pending")
