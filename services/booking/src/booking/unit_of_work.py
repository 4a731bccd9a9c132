"""The booking unit of work: the shared transaction plus this service's repositories."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from booking import db
from booking.domain.venue_booking import Space
from eventbus.runtime import UnitOfWork


class BookingUnitOfWork(UnitOfWork):
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
            s["managers"],
        )

    # --- venue bookings ---------------------------------------------------------------------
    def add_booking(self, booking: dict[str, Any]) -> None:
        self.conn.execute(db.venue_bookings.insert().values(**booking))

    def booking(self, booking_id: str, lock: bool = False) -> Any:
        query = sa.select(db.venue_bookings).where(db.venue_bookings.c.id == booking_id)
        return self.conn.execute(query.with_for_update() if lock else query).first()

    def bookings_of(self, organiser_id: str | None) -> list[Any]:
        query = sa.select(db.venue_bookings).order_by(db.venue_bookings.c.starts_at)
        if organiser_id is not None:
            query = query.where(db.venue_bookings.c.organiser_id == organiser_id)
        return list(self.conn.execute(query))

    def update_booking(self, booking_id: str, **changes: Any) -> None:
        self.conn.execute(
            db.venue_bookings.update()
            .where(db.venue_bookings.c.id == booking_id)
            .values(**changes, updated_at=sa.func.now())
        )

    def refunds_owed(self) -> list[str]:
        t = db.venue_bookings
        return [
            str(i)
            for i in self.conn.execute(
                sa.select(t.c.id).where(t.c.refund_due > t.c.refunded_amount)
            ).scalars()
        ]

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
