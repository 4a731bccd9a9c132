"""The venues HTTP API: thin views that load a schema, call a handler and dump the answer."""

from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, jsonify

from eventbus.auth import ROLES, Principal
from eventbus.http import Api, EmptyBody, Problem
from eventbus.runtime import Runtime
from venues import handlers
from venues.bootstrap import unit_of_work
from venues.domain import Rejected
from venues.domain.areas import Area
from venues.domain.schedule import Entry, ScheduleRefused
from venues.ical import schedule_calendar
from venues.schemas import (
    AreaChange,
    AreaIn,
    AreaList,
    AreaOut,
    AvailabilityQuery,
    BlackoutIn,
    EntryOut,
    FreeSpaceList,
    QueueOut,
    Rejection,
    ScheduleOut,
    SpaceOut,
    VenueIn,
    VenueList,
    VenueOut,
    VenueQuery,
    Window,
)
from venues.unit_of_work import VenuesUnitOfWork

api = Api("venues")


def _uow() -> VenuesUnitOfWork:
    runtime: Runtime = current_app.extensions["runtime"]
    return unit_of_work(runtime)


def _area(area: Area) -> dict[str, Any]:
    dumped: dict[str, Any] = AreaOut().dump(
        {
            "id": area.id,
            "name": {"vi": area.name_vi, "en": area.name_en},
            "level": area.level,
            "parent_id": area.parent_id,
            "code": area.code,
        }
    )
    return dumped


@api.route("/v1/areas", "GET", responses={200: AreaList})
def list_areas() -> Any:
    """The administrative areas venues sit in, as a tree by parent_id."""
    return jsonify(items=[_area(a) for a in handlers.list_areas(_uow())], next_cursor=None)


@api.route("/v1/areas/<uuid:area_id>", "GET", responses={200: AreaOut, 404: None})
def get_area(area_id: Any) -> Any:
    """One area."""
    try:
        return jsonify(_area(handlers.get_area(_uow(), str(area_id))))
    except handlers.NotFound as exc:
        raise Problem(404, "Not Found", "No such area.") from exc


@api.route(
    "/v1/areas/<uuid:area_id>",
    "PATCH",
    body=AreaChange,
    roles=("staff",),
    responses={200: AreaOut, 404: None},
)
def change_area(area_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Rename, re-level or move an area (department staff): the map is data, and it changes."""
    try:
        return jsonify(_area(handlers.change_area(_uow(), str(area_id), body)))
    except handlers.NotFound as exc:
        raise _not_found("area") from exc
    except Rejected as exc:
        raise _invalid(exc.field, str(exc)) from exc


@api.route("/v1/areas", "POST", body=AreaIn, roles=("staff",), responses={201: AreaOut})
def create_area(body: dict[str, Any], principal: Principal) -> Any:
    """Add an area to the map (department staff)."""
    parent_id = str(body["parent_id"]) if body["parent_id"] else None
    try:
        area = handlers.create_area(
            _uow(), body["level"], body["name"]["vi"], body["name"]["en"], parent_id, body["code"]
        )
    except Rejected as exc:
        raise Problem(422, "Invalid request", str(exc), {exc.field: [str(exc)]}) from exc
    return jsonify(_area(area)), 201


MANAGERS = ("venue_manager", "staff")


def _invalid(field: str, message: str) -> Problem:
    return Problem(422, "Invalid request", message, {field: [message]})


def _not_found(what: str) -> Problem:
    return Problem(404, "Not Found", f"No such {what}.")


@api.route("/v1/venues", "POST", body=VenueIn, roles=("staff",), responses={201: VenueOut, 409: None})
def register_venue(body: dict[str, Any], principal: Principal) -> Any:
    """Add a venue and its bookable spaces to the catalogue (department staff).

    Who manages it is the identity service's to say (`identity.manager.assigned`), not this body's."""
    try:
        venue_id = handlers.register_venue(_uow(), body)
    except Rejected as exc:
        if exc.field == "key":
            raise Problem(409, "Conflict", str(exc), {"key": [str(exc)]}) from exc
        raise _invalid(exc.field, str(exc)) from exc
    return jsonify(VenueOut().dump(handlers.get_venue(_uow(), venue_id))), 201


@api.route("/v1/venues", "GET", query=VenueQuery, responses={200: VenueList})
def find_venues(query: dict[str, Any]) -> Any:
    """A page of venues by kind, area (with the areas inside it) and name, each with its spaces."""
    found, cursor = handlers.find_venues(_uow(), query)
    return jsonify(items=VenueOut(many=True).dump(found), next_cursor=cursor)


@api.route("/v1/venues/<uuid:venue_id>", "GET", responses={200: VenueOut, 404: None})
def get_venue(venue_id: Any) -> Any:
    """One venue with its spaces."""
    try:
        return jsonify(VenueOut().dump(handlers.get_venue(_uow(), str(venue_id))))
    except handlers.NotFound as exc:
        raise _not_found("venue") from exc


@api.route("/v1/spaces/<uuid:space_id>", "GET", responses={200: SpaceOut, 404: None})
def get_space(space_id: Any) -> Any:
    """One space: its layout (seat map, capacity or plots) and booking rules."""
    try:
        return jsonify(SpaceOut().dump(handlers.space_view(handlers.get_space(_uow(), str(space_id)))))
    except handlers.NotFound as exc:
        raise _not_found("space") from exc


def _entry(e: Entry) -> dict[str, Any]:
    dumped: dict[str, Any] = EntryOut().dump(
        {
            "id": e.id,
            "status": e.status,
            "title": e.title,
            "start": e.starts_at,
            "end": e.ends_at,
            "plot_id": e.plot_id,
            "venue_booking_id": e.venue_booking_id,
            "reason": e.reason,
        }
    )
    return dumped


@api.route(
    "/v1/spaces/<uuid:space_id>/schedule",
    "GET",
    query=Window,
    optional_token=True,
    responses={200: ScheduleOut, 404: None},
)
def space_schedule(space_id: Any, query: dict[str, Any], principal: Principal | None) -> Any:
    """Bookings, pending requests and blackouts of a space between two moments; what each booking
    is and who made it only for the venue's managers and staff (send their token)."""
    try:
        space, entries = handlers.schedule_of(_uow(), principal, str(space_id), query["start"], query["end"])
    except handlers.NotFound as exc:
        raise _not_found("space") from exc
    codes = {plot_id: code for code, plot_id in space.plot_ids.items()}  # the layout names plots by code
    items = [_entry(e) | {"plot": codes.get(e.plot_id or "")} for e in entries]
    return jsonify(space_id=str(space_id), items=items, next_cursor=None)


@api.route(
    "/v1/spaces/<uuid:space_id>/schedule.ics",
    "GET",
    query=Window,
    optional_token=True,
    responses={200: None, 404: None},
)
def space_calendar(space_id: Any, query: dict[str, Any], principal: Principal | None) -> Any:
    """The same schedule as an iCalendar file."""
    try:
        space, entries = handlers.schedule_of(_uow(), principal, str(space_id), query["start"], query["end"])
    except handlers.NotFound as exc:
        raise _not_found("space") from exc
    body = schedule_calendar(f"{space.name_vi} / {space.name_en}", entries, datetime.now(UTC))
    return Response(
        body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=schedule.ics"}
    )


@api.route("/v1/availability", "GET", query=AvailabilityQuery, responses={200: FreeSpaceList})
def availability(query: dict[str, Any]) -> Any:
    """Spaces of active venues free for the whole of a time window, across venues."""
    rows, cursor = handlers.find_free_spaces(_uow(), query)
    items = [
        {
            "space_id": r.id,
            "venue_id": r.venue_id,
            "venue_name": {"vi": r.venue_name_vi, "en": r.venue_name_en},
            "venue_kind": r.kind,
            "name": {"vi": r.name_vi, "en": r.name_en},
            "layout_kind": r.layout_kind,
            "capacity": r.capacity,
        }
        for r in rows
    ]
    return jsonify(items=items, next_cursor=cursor)


@api.route(
    "/v1/spaces/<uuid:space_id>/blackouts",
    "POST",
    body=BlackoutIn,
    roles=MANAGERS,
    responses={201: EntryOut, 404: None, 409: None},
)
def add_blackout(space_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Block a space for maintenance or a state ceremony (its managers)."""
    try:
        entry = handlers.add_blackout(
            _uow(), principal, str(space_id), body["start"], body["end"], body["reason"]
        )
    except handlers.NotFound as exc:
        raise _not_found("space") from exc
    except handlers.Conflict as exc:
        raise Problem(409, "Conflict", str(exc), conflicts=[_entry(e) for e in exc.entries]) from exc
    return jsonify(_entry(entry)), 201


@api.route("/v1/review-queue", "GET", roles=MANAGERS, responses={200: QueueOut})
def review_queue(principal: Principal) -> Any:
    """Requests waiting for a decision at the manager's venues, oldest first."""
    items = [
        {
            "id": e.id,
            "venue_booking_id": e.venue_booking_id,
            "venue_id": venue,
            "space_id": e.space_id,
            "plot_id": e.plot_id,
            "start": e.starts_at,
            "end": e.ends_at,
            "title": e.title,
            "organiser_id": e.organiser_id,
            "requested_at": e.created_at,
            "conflicts": [
                {
                    "venue_booking_id": c.venue_booking_id,
                    "start": c.starts_at,
                    "end": c.ends_at,
                    "title": c.title,
                }
                for c in lost
            ],
        }
        for e, venue, lost in handlers.review_queue(_uow(), principal)
    ]
    return jsonify(QueueOut().dump({"items": items, "next_cursor": None}))


def _decide(entry_id: Any, principal: Principal, decision: str, reason: str | None) -> Any:
    try:
        entry = handlers.decide_request(_uow(), principal, str(entry_id), decision, reason)
    except handlers.NotFound as exc:
        raise _not_found("schedule entry") from exc
    except ScheduleRefused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc
    return jsonify(_entry(entry) | {"status": decision})


@api.route(
    "/v1/schedule-entries/<uuid:entry_id>/approve",
    "POST",
    body=EmptyBody,
    roles=MANAGERS,
    responses={200: EntryOut, 404: None, 409: None},
)
def approve(entry_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Approve a held request (a manager of its venue)."""
    return _decide(entry_id, principal, "approved", None)


@api.route(
    "/v1/schedule-entries/<uuid:entry_id>/reject",
    "POST",
    body=Rejection,
    roles=MANAGERS,
    responses={200: EntryOut, 404: None, 409: None},
)
def reject(entry_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Reject a held request, with the reason the organiser will read."""
    return _decide(entry_id, principal, "rejected", body["reason"])


@api.route("/v1/me/data/venues", "GET", roles=ROLES, responses={200: None})
def my_data(principal: Principal) -> Any:
    """What this service holds of you, as JSON: the venues you manage, and the schedule's entries
    you asked for or decided on (the identity service's GET /v1/me/data gathers it with the rest)."""
    with _uow() as work:
        return jsonify(work.own_data(principal.sub))
