"""The venues unit of work: the shared transaction plus this service's repositories."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from eventbus.own_data import rows
from eventbus.runtime import UnitOfWork
from venues import db
from venues.domain.areas import Area
from venues.domain.catalogue import Space
from venues.domain.schedule import HOLDING, Entry

OVERLAP = "23P01"  # exclusion_violation


def _space(row: Any, plot_ids: dict[str, str]) -> Space:
    return Space(row.id, row.venue_id, row.key, row.name_vi, row.name_en, row.layout, row.rules, plot_ids)


class VenuesUnitOfWork(UnitOfWork):
    # --- areas --------------------------------------------------------------------------------
    def get_area(self, area_id: str) -> Area | None:
        row = self.conn.execute(sa.select(db.areas).where(db.areas.c.id == area_id)).first()
        if row is None:
            return None
        return Area(row.level, row.name_vi, row.name_en, row.parent_id, row.code, row.id)

    def list_areas(self) -> list[Area]:
        rows = self.conn.execute(sa.select(db.areas).order_by(db.areas.c.level, db.areas.c.name_vi))
        return [Area(r.level, r.name_vi, r.name_en, r.parent_id, r.code, r.id) for r in rows]

    def lock_the_map(self) -> None:
        """One move of an area at a time: two moves checked at once (A under B, B under A) would
        each find no cycle, and both commit one."""
        self.lock("areas: the map")

    def area_and_below(self, area_id: str) -> list[str]:
        """The area and every area within it. UNION, not UNION ALL: an area met again adds no row,
        so the walk ends even if the data holds a cycle (which moving an area refuses)."""
        tree = sa.select(db.areas.c.id).where(db.areas.c.id == area_id).cte("tree", recursive=True)
        tree = tree.union(sa.select(db.areas.c.id).where(db.areas.c.parent_id == tree.c.id))
        return [str(i) for i in self.conn.execute(sa.select(tree.c.id)).scalars()]

    def sibling_named(self, parent_id: str | None, name_vi: str) -> bool:
        query = sa.select(db.areas.c.id).where(
            db.areas.c.parent_id.is_not_distinct_from(parent_id), db.areas.c.name_vi == name_vi
        )
        return self.conn.execute(query).first() is not None

    def has_children(self, area_id: str) -> bool:
        query = sa.select(db.areas.c.id).where(db.areas.c.parent_id == area_id).limit(1)
        return self.conn.execute(query).first() is not None

    def update_area(self, area: Area) -> None:
        self.conn.execute(
            db.areas.update()
            .where(db.areas.c.id == area.id)
            .values(
                parent_id=area.parent_id,
                level=area.level,
                name_vi=area.name_vi,
                name_en=area.name_en,
                code=area.code,
            )
        )

    def add_area(self, area: Area) -> None:
        self.conn.execute(
            db.areas.insert().values(
                id=area.id,
                parent_id=area.parent_id,
                level=area.level,
                name_vi=area.name_vi,
                name_en=area.name_en,
                code=area.code,
            )
        )

    # --- venues and spaces ------------------------------------------------------------------
    def venue_key_taken(self, key: str) -> bool:
        return self.conn.execute(sa.select(db.venues.c.id).where(db.venues.c.key == key)).first() is not None

    def add_venue(self, venue: dict[str, Any]) -> None:
        self.conn.execute(db.venues.insert().values(**venue))

    def add_space(self, space: Space) -> None:
        self.conn.execute(
            db.spaces.insert().values(
                id=space.id,
                venue_id=space.venue_id,
                key=space.key,
                name_vi=space.name_vi,
                name_en=space.name_en,
                layout_kind=space.layout_kind,
                capacity=space.capacity,
                layout=space.layout,
                rules=space.rules,
            )
        )
        if space.plot_ids:
            self.conn.execute(
                db.plots.insert(),
                [{"id": i, "space_id": space.id, "code": c} for c, i in space.plot_ids.items()],
            )

    def venues(
        self, kind: str | None, area_ids: list[str] | None, q: str | None, offset: int, limit: int
    ) -> list[Any]:
        query = sa.select(db.venues).order_by(db.venues.c.name_vi, db.venues.c.id).offset(offset).limit(limit)
        if kind:
            query = query.where(db.venues.c.kind == kind)
        if area_ids is not None:
            query = query.where(db.venues.c.area_id.in_(area_ids))
        if q:  # autoescape: a % or _ in the words is the character itself, not a wildcard
            named = (c.icontains(q, autoescape=True) for c in (db.venues.c.name_vi, db.venues.c.name_en))
            query = query.where(sa.or_(*named))
        return list(self.conn.execute(query))

    def venue(self, venue_id: str) -> Any:
        return self.conn.execute(sa.select(db.venues).where(db.venues.c.id == venue_id)).first()

    # --- people, as the identity service names them ---------------------------------------------
    def managers(self, venue_id: str) -> list[str]:
        query = sa.select(db.venue_managers.c.user_id).where(db.venue_managers.c.venue_id == venue_id)
        return sorted(self.conn.execute(query).scalars())

    def assign_manager(self, venue_id: str, user_id: str) -> None:
        self.conn.execute(
            insert(db.venue_managers).values(venue_id=venue_id, user_id=user_id).on_conflict_do_nothing()
        )

    def unassign_manager(self, venue_id: str, user_id: str) -> None:
        m = db.venue_managers
        self.conn.execute(m.delete().where(m.c.venue_id == venue_id, m.c.user_id == user_id))

    def anonymise_person(self, user_id: str, marker: str) -> None:
        """They manage no venue; the schedule keeps each entry's space, times and status, not who
        asked for it or decided on it, nor the title they gave it (their words may name them)."""
        m, t = db.venue_managers, db.schedule_entries
        self.conn.execute(m.delete().where(m.c.user_id == user_id))
        self.conn.execute(
            t.update().where(t.c.organiser_id == user_id).values(organiser_id=marker, title=marker)
        )
        self.conn.execute(t.update().where(t.c.decided_by == user_id).values(decided_by=marker))

    def own_data(self, user_id: str) -> dict[str, Any]:
        """What this service holds of a person, as anonymise_person finds it: the venues they
        manage, and the schedule's entries they asked for or decided on."""
        m, t = db.venue_managers, db.schedule_entries
        return {
            "venues_managed": rows(self.conn, m, m.c.user_id == user_id),
            "schedule_entries": rows(
                self.conn, t, sa.or_(t.c.organiser_id == user_id, t.c.decided_by == user_id)
            ),
        }

    def spaces_of(self, venue_ids: list[str]) -> list[Space]:
        rows = self.conn.execute(
            sa.select(db.spaces).where(db.spaces.c.venue_id.in_(venue_ids)).order_by(db.spaces.c.key)
        )
        return [_space(r, {}) for r in rows]

    def space(self, space_id: str) -> Space | None:
        row = self.conn.execute(sa.select(db.spaces).where(db.spaces.c.id == space_id)).first()
        if row is None:
            return None
        plots = self.conn.execute(
            sa.select(db.plots.c.code, db.plots.c.id).where(db.plots.c.space_id == space_id)
        )
        return _space(row, {code: str(i) for code, i in plots})

    # --- the schedule -----------------------------------------------------------------------
    def lock_schedule(self, space_id: str) -> None:
        """One write to a space's schedule at a time. Two requests checking the exclusion
        constraint against each other's uncommitted rows deadlock (fifty at once did, past any
        number of retries); in turn, each sees the rows committed before it."""
        self.lock("schedule: " + space_id)

    def hold(self, entry: Entry) -> bool:
        """Writes an entry that holds time; False, and nothing written, when it would overlap."""
        self.lock_schedule(entry.space_id)
        try:
            with self.conn.begin_nested():
                self._insert_entry(entry)
            return True
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == OVERLAP:
                return False
            raise

    def record(self, entry: Entry) -> None:
        """Writes an entry that holds no time (a conflicted request), for the managers' view."""
        self._insert_entry(entry)

    def _insert_entry(self, e: Entry) -> None:
        self.conn.execute(
            db.schedule_entries.insert().values(
                id=e.id,
                space_id=e.space_id,
                plot_id=e.plot_id,
                venue_booking_id=e.venue_booking_id,
                organiser_id=e.organiser_id,
                title=e.title,
                status=e.status,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                blocked_until=e.blocked_until,
                reason=e.reason,
            )
        )

    def entry(self, entry_id: str | None = None, venue_booking_id: str | None = None) -> Entry | None:
        t = db.schedule_entries
        where = t.c.id == entry_id if entry_id else t.c.venue_booking_id == venue_booking_id
        row = self.conn.execute(sa.select(t).where(where).with_for_update()).first()
        return _entry(row) if row else None

    def set_status(self, entry: Entry, status: str, by: str | None = None, reason: str | None = None) -> None:
        self.lock_schedule(entry.space_id)  # a status in the constraint is checked again
        changes: dict[str, Any] = {"status": status}
        if by is not None:
            changes.update(decided_by=by, decided_at=sa.func.now())
        if reason is not None:
            changes["reason"] = reason
        self.conn.execute(
            db.schedule_entries.update().where(db.schedule_entries.c.id == entry.id).values(**changes)
        )

    def overlapping(
        self,
        space_id: str,
        plot_id: str | None,
        start: datetime,
        until: datetime,
        statuses: tuple[str, ...] = HOLDING,
    ) -> list[Entry]:
        t = db.schedule_entries
        rows = self.conn.execute(
            sa.select(t)
            .where(
                t.c.space_id == space_id,
                t.c.plot_id.is_not_distinct_from(plot_id),
                t.c.status.in_(statuses),
                t.c.starts_at < until,
                t.c.blocked_until > start,
            )
            .order_by(t.c.starts_at)
        )
        return [_entry(r) for r in rows]

    def schedule(self, space_id: str, start: datetime, end: datetime) -> list[Entry]:
        t = db.schedule_entries
        rows = self.conn.execute(
            sa.select(t)
            .where(
                t.c.space_id == space_id,
                t.c.status.in_(HOLDING),
                t.c.starts_at < end,
                t.c.ends_at > start,
                ~((t.c.status == "blackout") & t.c.plot_id.is_not(None)),  # a blackout's copies on its plots
            )
            .order_by(t.c.starts_at)
        )
        return [_entry(r) for r in rows]

    def pending_for(self, venue_ids: list[str] | None) -> list[tuple[Entry, str]]:
        """Held requests, oldest first, with their venue; all venues when `venue_ids` is None."""
        t, s = db.schedule_entries, db.spaces
        query = (
            sa.select(t, s.c.venue_id)
            .join(s, s.c.id == t.c.space_id)
            .where(t.c.status == "held", t.c.venue_booking_id.is_not(None))
            .order_by(t.c.created_at)
        )
        if venue_ids is not None:
            query = query.where(s.c.venue_id.in_(venue_ids))
        return [(_entry(r), str(r.venue_id)) for r in self.conn.execute(query)]

    def free_spaces(
        self,
        kind: str | None,
        area_ids: list[str] | None,
        window: tuple[datetime, datetime],
        min_capacity: int,
        page: tuple[int, int],
    ) -> list[Any]:
        """`page`: (offset, limit) of the spaces in the order of their venues' names."""
        (start, end), (offset, limit) = window, page
        v, s, t = db.venues, db.spaces, db.schedule_entries
        busy = sa.select(t.c.id).where(
            t.c.space_id == s.c.id,
            t.c.plot_id.is_(None),
            t.c.status.in_(HOLDING),
            t.c.starts_at < end,
            t.c.blocked_until > start,
        )
        query = (
            sa.select(s, v.c.name_vi.label("venue_name_vi"), v.c.name_en.label("venue_name_en"), v.c.kind)
            .join(v, v.c.id == s.c.venue_id)
            .where(v.c.status == "active", s.c.capacity >= min_capacity, ~sa.exists(busy))
            .order_by(v.c.name_vi, v.c.id, s.c.key)
            .offset(offset)
            .limit(limit)
        )
        if kind:
            query = query.where(v.c.kind == kind)
        if area_ids is not None:
            query = query.where(v.c.area_id.in_(area_ids))
        return list(self.conn.execute(query))


def _entry(row: Any) -> Entry:
    return Entry(
        str(row.id),
        str(row.space_id),
        row.plot_id and str(row.plot_id),
        row.venue_booking_id and str(row.venue_booking_id),
        row.organiser_id,
        row.title,
        row.status,
        row.starts_at,
        row.ends_at,
        row.blocked_until,
        row.reason,
        row.created_at,
    )


def new_id() -> str:
    return str(uuid.uuid4())
