"""Use cases of the venues service, one short function each."""

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from eventbus.auth import Principal
from eventbus.envelope import Envelope
from venues.domain import Rejected
from venues.domain.areas import Area, changed_area, new_area
from venues.domain.catalogue import Space, check_layout, check_rules
from venues.domain.schedule import Entry, blocked_until, decide, release
from venues.unit_of_work import VenuesUnitOfWork, new_id

SIBLING_NAMED = "an area of that name already sits there"


class NotFound(LookupError):
    pass


class Forbidden(PermissionError):
    pass


class Conflict(Exception):
    def __init__(self, message: str, entries: list[Entry]) -> None:
        super().__init__(message)
        self.entries = entries


# --- areas ----------------------------------------------------------------------------------
def create_area(
    uow: VenuesUnitOfWork, level: str, name_vi: str, name_en: str, parent_id: str | None, code: str | None
) -> Area:
    with uow:
        parent = uow.get_area(parent_id) if parent_id else None
        if parent_id and parent is None:
            raise Rejected("parent_id", "no such area")
        area = new_area(level, name_vi, name_en, parent, code)
        if uow.sibling_named(area.parent_id, area.name_vi):
            raise Rejected("name", SIBLING_NAMED)
        uow.add_area(area)
        uow.publish("venues.area.created", area.id, _area_event(area))
        try:
            uow.commit()
        except IntegrityError as exc:  # a concurrent request took the name first
            raise Rejected("name", SIBLING_NAMED) from exc
        return area


def change_area(uow: VenuesUnitOfWork, area_id: str, changes: dict[str, Any]) -> Area:
    """Staff edit the map: a new name, level, parent or code; unnamed fields stay as they are."""
    with uow:
        area = uow.get_area(area_id)
        if area is None:
            raise NotFound(area_id)
        parent_id = str(changes["parent_id"]) if changes.get("parent_id") else None
        if "parent_id" not in changes:
            parent_id = area.parent_id
        parent = uow.get_area(parent_id) if parent_id else None
        if parent_id and parent is None:
            raise Rejected("parent_id", "no such area")
        if parent_id:
            uow.lock_the_map()
        if parent_id and parent_id in uow.area_and_below(area.id):
            raise Rejected("parent_id", "an area cannot sit inside itself or an area within it")
        name = changes.get("name", {"vi": area.name_vi, "en": area.name_en})
        changed = changed_area(
            area,
            changes.get("level", area.level),
            name["vi"],
            name["en"],
            parent,
            changes.get("code", area.code),
            uow.has_children(area.id),
        )
        moved_or_renamed = (changed.parent_id, changed.name_vi) != (area.parent_id, area.name_vi)
        if moved_or_renamed and uow.sibling_named(changed.parent_id, changed.name_vi):
            raise Rejected("name", SIBLING_NAMED)
        uow.update_area(changed)
        uow.publish("venues.area.updated", area.id, _area_event(changed))
        try:
            uow.commit()
        except IntegrityError as exc:
            raise Rejected("name", SIBLING_NAMED) from exc
        return changed


def _area_event(area: Area) -> dict[str, Any]:
    return {
        "area_id": area.id,
        "parent_id": area.parent_id,
        "level": area.level,
        "name": {"vi": area.name_vi, "en": area.name_en},
    }


def get_area(uow: VenuesUnitOfWork, area_id: str) -> Area:
    with uow:
        area = uow.get_area(area_id)
    if area is None:
        raise NotFound(area_id)
    return area


def list_areas(uow: VenuesUnitOfWork) -> list[Area]:
    with uow:
        return uow.list_areas()


# --- venues and spaces ------------------------------------------------------------------------
def register_venue(uow: VenuesUnitOfWork, body: dict[str, Any]) -> str:
    """A venue and its spaces join the catalogue; each space is announced for booking."""
    with uow:
        if uow.get_area(str(body["area_id"])) is None:
            raise Rejected("area_id", "no such area")
        if uow.venue_key_taken(body["key"]):
            raise Rejected("key", "a venue with this key exists already")
        venue_id = new_id()
        coordinates = body["coordinates"] or {}
        venue = {
            "id": venue_id,
            "key": body["key"],
            "name_vi": body["name"]["vi"],
            "name_en": body["name"]["en"],
            "kind": body["kind"],
            "area_id": str(body["area_id"]),
            "address": body["address"],
            "lat": coordinates.get("lat"),
            "lng": coordinates.get("lng"),
            "status": body["status"],
            "funding_model": body["funding_model"],
            "operator": body["operator"],
            "amenities": body["amenities"],
            "photos": body["photos"],
            "sample_values": body["sample_values"],
        }
        uow.add_venue(venue)
        for s in body["spaces"]:
            check_layout(s["layout"])
            check_rules(s["rules"])
            plots = {p["code"]: new_id() for p in s["layout"].get("plots", [])}
            space = Space(
                new_id(), venue_id, s["key"], s["name"]["vi"], s["name"]["en"], s["layout"], s["rules"], plots
            )
            uow.add_space(space)
            _announce(uow, space, venue)
        try:
            uow.commit()
        except IntegrityError as exc:  # a concurrent registration took the key
            raise Rejected("key", "a venue with this key exists already") from exc
        return venue_id


def _announce(uow: VenuesUnitOfWork, space: Space, venue: dict[str, Any]) -> None:
    uow.publish(
        "venues.space.published",
        space.id,
        {
            "space_id": space.id,
            "venue_id": space.venue_id,
            "venue_name": {"vi": venue["name_vi"], "en": venue["name_en"]},
            "venue_kind": venue["kind"],
            "area_id": venue["area_id"],
            "venue_status": venue["status"],
            "name": {"vi": space.name_vi, "en": space.name_en},
            "layout_kind": space.layout_kind,
            "capacity": space.capacity,
            "layout": space.layout,
            "plots": space.plot_ids,
            "rules": space.rules,
        },
    )


def find_venues(uow: VenuesUnitOfWork, query: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """A page of venues by kind, area (with the areas inside it) and name, each with its spaces."""
    offset, limit = int(query["cursor"] or 0), query["limit"]
    with uow:
        areas = uow.area_and_below(str(query["area"])) if query.get("area") else None
        rows = uow.venues(query.get("kind"), areas, query.get("q"), offset, limit + 1)
        spaces = uow.spaces_of([r.id for r in rows[:limit]])
    shown = [_venue(r, [s for s in spaces if s.venue_id == r.id]) for r in rows[:limit]]
    return shown, str(offset + limit) if len(rows) > limit else None


def get_venue(uow: VenuesUnitOfWork, venue_id: str) -> dict[str, Any]:
    with uow:
        row = uow.venue(venue_id)
        if row is None:
            raise NotFound(venue_id)
        return _venue(row, uow.spaces_of([venue_id]))


def _venue(row: Any, spaces: list[Space]) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": row.key,
        "name": {"vi": row.name_vi, "en": row.name_en},
        "kind": row.kind,
        "area_id": row.area_id,
        "address": row.address,
        "coordinates": {"lat": row.lat, "lng": row.lng} if row.lat is not None else None,
        "status": row.status,
        "funding_model": row.funding_model,
        "operator": row.operator,
        "amenities": row.amenities,
        "photos": row.photos,
        "sample_values": row.sample_values,
        "spaces": [space_view(s) for s in spaces],
    }


def space_view(space: Space) -> dict[str, Any]:
    return {
        "id": space.id,
        "venue_id": space.venue_id,
        "key": space.key,
        "name": {"vi": space.name_vi, "en": space.name_en},
        "layout_kind": space.layout_kind,
        "capacity": space.capacity,
        "layout": space.layout,
        "rules": space.rules,
    }


def get_space(uow: VenuesUnitOfWork, space_id: str) -> Space:
    with uow:
        space = uow.space(space_id)
    if space is None:
        raise NotFound(space_id)
    return space


# --- the schedule -----------------------------------------------------------------------------
def schedule_of(
    uow: VenuesUnitOfWork, principal: Principal | None, space_id: str, start: datetime, end: datetime
) -> tuple[Space, list[Entry]]:
    """The space's calendar; who booked it and for what is for its managers and staff only."""
    with uow:
        space = uow.space(space_id)
        if space is None:
            raise NotFound(space_id)
        entries = uow.schedule(space_id, start, end)
    if principal is None or not _may_manage(principal, space.venue_id):
        entries = [
            e
            if e.status == "blackout"
            else replace(e, title="—", venue_booking_id=None, organiser_id=None, status="booked")
            for e in entries
        ]
    return space, entries


def find_free_spaces(uow: VenuesUnitOfWork, query: dict[str, Any]) -> tuple[list[Any], str | None]:
    """A page of the spaces free for the whole of the query's window."""
    offset, limit = int(query["cursor"] or 0), query["limit"]
    with uow:
        areas = uow.area_and_below(str(query["area"])) if query.get("area") else None
        window = (query["start"], query["end"])
        rows = uow.free_spaces(query.get("kind"), areas, window, query["min_capacity"], (offset, limit + 1))
    return rows[:limit], str(offset + limit) if len(rows) > limit else None


def _may_manage(principal: Principal, venue_id: str) -> bool:
    """Staff, or the venue's own manager: a venue named in another role's token counts for nothing."""
    return principal.role == "staff" or (principal.role == "venue_manager" and venue_id in principal.venues)


def add_blackout(
    uow: VenuesUnitOfWork, principal: Principal, space_id: str, start: datetime, end: datetime, reason: str
) -> Entry:
    with uow:
        space = uow.space(space_id)
        if space is None or not _may_manage(principal, space.venue_id):
            raise NotFound(space_id)
        # On a space divided into plots, every plot is blocked too: plots hold time on their own.
        entry = Entry(new_id(), space_id, None, None, None, reason, "blackout", start, end, end, reason)
        for blocked in [entry] + [replace(entry, id=new_id(), plot_id=p) for p in space.plot_ids.values()]:
            if not uow.hold(blocked):
                hit = uow.overlapping(space_id, blocked.plot_id, start, end)
                raise Conflict("the blackout overlaps entries on the schedule", hit)
        uow.publish(
            "venues.blackout.added",
            space_id,
            {
                "schedule_entry_id": entry.id,
                "space_id": space_id,
                "start": start,
                "end": end,
                "reason": reason,
            },
        )
        uow.commit()
        return entry


def review_queue(uow: VenuesUnitOfWork, principal: Principal) -> list[tuple[Entry, str, list[Entry]]]:
    """Held requests of the principal's venues, oldest first, each with the requests it beat."""
    with uow:
        pending = uow.pending_for(None if principal.role == "staff" else list(principal.venues))
        return [
            (e, venue, uow.overlapping(e.space_id, e.plot_id, e.starts_at, e.blocked_until, ("conflicted",)))
            for e, venue in pending
        ]


def decide_request(
    uow: VenuesUnitOfWork, principal: Principal, entry_id: str, decision: str, reason: str | None
) -> Entry:
    """A manager approves or rejects a held request of one of their venues."""
    with uow:
        entry = uow.entry(entry_id=entry_id)
        space = uow.space(entry.space_id) if entry else None
        if (
            entry is None
            or space is None
            or entry.venue_booking_id is None
            or not _may_manage(principal, space.venue_id)
        ):
            raise NotFound(entry_id)
        status = decide(entry, decision)
        uow.set_status(entry, status, principal.sub, reason)
        uow.publish(
            f"venues.slot.{status}",
            entry.venue_booking_id,
            {**_slot(entry, space, uow), "decided_by": principal.sub, "reason": reason},
        )
        uow.commit()
        return entry


def _slot(entry: Entry, space: Space, uow: VenuesUnitOfWork) -> dict[str, Any]:
    return {
        "venue_booking_id": entry.venue_booking_id,
        "schedule_entry_id": entry.id,
        "space_id": space.id,
        "venue_id": space.venue_id,
        "plot_id": entry.plot_id,
        "organiser_id": entry.organiser_id or "",
        "start": entry.starts_at,
        "end": entry.ends_at,
        "managers": uow.managers(space.venue_id),
    }


# --- reactions to booking's events --------------------------------------------------------------
def place_requested_slot(uow: VenuesUnitOfWork, event: Envelope) -> None:
    """A requested booking takes its time on the schedule, unless the database finds it taken."""
    d = event.data
    space = uow.space(d["space_id"])
    start, end = datetime.fromisoformat(d["start"]), datetime.fromisoformat(d["end"])
    if space is None:
        return  # booking checks spaces against what venues announced; an unknown one cannot arrive
    entry = Entry(
        new_id(),
        space.id,
        d.get("plot_id"),
        d["venue_booking_id"],
        d["organiser_id"],
        d["title"],
        "held",
        start,
        end,
        blocked_until(end, space.buffer_minutes),
        None,
    )
    if uow.hold(entry):
        uow.publish("venues.slot.held", entry.venue_booking_id or "", _slot(entry, space, uow), cause=event)
        if not space.rules["needs_approval"]:  # the venue's rules approve what fits
            uow.set_status(entry, "approved", "rules")
            uow.publish(
                "venues.slot.approved",
                entry.venue_booking_id or "",
                {**_slot(entry, space, uow), "decided_by": "rules", "reason": None},
                cause=event,
            )
        return
    conflicts = uow.overlapping(space.id, entry.plot_id, start, entry.blocked_until)
    uow.record(replace(entry, status="conflicted", reason="overlap"))
    uow.publish(
        "venues.slot.conflicted",
        entry.venue_booking_id or "",
        {
            **_slot(entry, space, uow),
            "schedule_entry_id": None,
            "reason": "the time overlaps another booking or a blackout, buffer included",
            "conflicts": [
                {
                    "start": c.starts_at,
                    "end": c.ends_at,
                    "kind": "blackout" if c.status == "blackout" else "booking",
                }
                for c in conflicts
            ],
        },
        cause=event,
    )


def release_slot(uow: VenuesUnitOfWork, event: Envelope) -> None:
    """A cancelled or expired booking frees its time."""
    entry = uow.entry(venue_booking_id=event.data["venue_booking_id"])
    if entry is None or not release(entry):
        return
    space = uow.space(entry.space_id)
    assert space is not None
    uow.set_status(entry, "released", None, event.type.rsplit(".", 1)[-1])
    uow.publish("venues.slot.released", entry.venue_booking_id or "", _slot(entry, space, uow), cause=event)


def confirm_slot(uow: VenuesUnitOfWork, event: Envelope) -> None:
    entry = uow.entry(venue_booking_id=event.data["venue_booking_id"])
    if entry is not None and entry.status == "approved":
        uow.set_status(entry, "confirmed")
