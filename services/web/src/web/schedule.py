"""The venue managers' venues, and each space's schedule as a calendar (FullCalendar: the week and
the month, a list on phones) with the blackouts they set on it: maintenance, a state ceremony."""

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from eventbus.fields import LOCAL
from web import account, apis
from web.formatting import text
from web.forms import FieldErrors, local_moment
from web.names import names
from web.organiser import signed_in_token
from web.pages import _, page

schedule = Blueprint("schedule", __name__)


def _managed() -> list[str]:
    signed_in_token()
    person = account.person() or {}
    return list(person.get("venues") or ()) if person.get("role") == "venue_manager" else []


@schedule.get("/manager")
def my_venues() -> ResponseReturnValue:
    venues = [apis.read("venues", f"/v1/venues/{venue_id}") for venue_id in _managed()]
    return page("my_venues.html", _("My venues"), venues=venues)


def _space(space_id: Any) -> dict[str, Any]:
    """The space, if it is one of the signed-in manager's, or for the Department's staff (every
    space); 403 for anyone else."""
    managed = _managed()
    space: dict[str, Any] = apis.read("venues", f"/v1/spaces/{space_id}")
    if space["venue_id"] not in managed and (account.person() or {}).get("role") != "staff":
        abort(403)
    return space


@schedule.route("/manager/spaces/<uuid:space_id>", methods=["GET", "POST"])
def calendar(space_id: Any) -> ResponseReturnValue:
    space, form, errors = _space(space_id), request.form, FieldErrors()
    conflicts: list[dict[str, Any]] = []
    day = request.args.get("day", "")[:10]  # the week the calendar opens on
    if request.method == "POST":
        start, end, reason = (
            local_moment(form.get("start", "")),
            local_moment(form.get("end", "")),
            form.get("reason", ""),
        )
        for field, moment in (("start", start), ("end", end)):
            if moment is None:
                errors.add(field, _("Enter a day and a time."))
        if start and end and end <= start:
            errors.add("end", _("The end must come after the start."))
        if not reason.strip():
            errors.add("reason", _("Say why the space is closed: the organisers see it."))
        if start:
            day = start.date().isoformat()
        if start and end and not errors:
            body = {"start": start.isoformat(), "end": end.isoformat(), "reason": reason.strip()}
            try:
                apis.call("venues", "POST", f"/v1/spaces/{space_id}/blackouts", signed_in_token(), json=body)
                return redirect(url_for("schedule.calendar", space_id=space_id, day=day, closed=1))
            except apis.Refusal as refusal:
                if refusal.status == 409:
                    conflicts = refusal.problem.get("conflicts") or []
                elif refusal.status == 422:
                    errors.take(refusal, {"reason": "reason", "start": "start", "end": "end"})
                else:
                    raise
    return page(
        "calendar.html",
        _("Schedule of %(space)s", space=text(space["name"])),
        409 if conflicts else 422 if errors else 200,
        space=space,
        form=form,
        errors=errors,
        conflicts=conflicts,
        closed="closed" in request.args,
        day=day,
    )


@schedule.get("/manager/spaces/<uuid:space_id>/schedule.json")
def entries(space_id: Any) -> ResponseReturnValue:
    """What the calendar shows between the two moments it asks for: each booking, request and
    blackout, its times in Hải Phòng's (the calendar is told that zone), its state in words."""
    start, end = local_moment(request.args.get("start", "")), local_moment(request.args.get("end", ""))
    if start is None or end is None:
        abort(400)
    window = {"from": start.isoformat(), "to": end.isoformat()}
    path = f"/v1/spaces/{space_id}/schedule"
    found = apis.read("venues", path, signed_in_token(), params=window)["items"]
    states = names()["schedule_status_names"]
    return jsonify([_shown(entry, states) for entry in found])


def _shown(entry: dict[str, Any], states: dict[str, str]) -> dict[str, Any]:
    def wall(moment: str) -> str:
        return datetime.fromisoformat(moment).astimezone(LOCAL).replace(tzinfo=None).isoformat()

    said = entry["reason"] if entry["status"] == "blackout" else entry["title"]
    return {
        "id": entry["id"],
        "title": f"{states[entry['status']]}: {said}",
        "start": wall(entry["start"]),
        "end": wall(entry["end"]),
        "classNames": [f"entry-{entry['status']}"],
    }
