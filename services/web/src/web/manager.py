"""The venue managers' pages: the review queue with the requests each one beat, approve, or
reject with a reason; and the door, where tickets are scanned with the device's camera or typed
when the camera fails, each answered large and clear."""

from typing import Any

from flask import Blueprint, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.organiser import signed_in_token
from web.pages import _, page

manager = Blueprint("manager", __name__)


@manager.get("/manager/review")
def review() -> ResponseReturnValue:
    queue = apis.read("venues", "/v1/review-queue", signed_in_token())["items"]
    return page("review.html", _("Requests to review"), queue=queue)


@manager.post("/manager/review/<uuid:entry_id>/<any(approve, reject):decision>")
def decide(entry_id: Any, decision: str) -> ResponseReturnValue:
    body = {"reason": request.form.get("reason", "").strip()} if decision == "reject" else {}
    apis.call("venues", "POST", f"/v1/schedule-entries/{entry_id}/{decision}", signed_in_token(), json=body)
    return redirect(url_for("manager.review"))


@manager.get("/manager/door/<uuid:event_id>")
def door(event_id: Any) -> ResponseReturnValue:
    event = apis.read("booking", f"/v1/events/{event_id}", signed_in_token())
    gate = request.args.get("gate", "").strip()[:60] or _("Main gate")
    return page("door.html", _("At the door"), event=event, gate=gate)


@manager.get("/manager/door/<uuid:event_id>/list")
def door_list(event_id: Any) -> ResponseReturnValue:
    """What the door page keeps, to go on checking while the network is down."""
    return jsonify(apis.read("booking", f"/v1/events/{event_id}/door-list", signed_in_token()))


@manager.post("/manager/door/<uuid:event_id>/checkins")
def check_in(event_id: Any) -> ResponseReturnValue:
    """One scan or typed code, answered as the door shows it: admitted, already used (when and
    at which gate), or not a ticket for this event."""
    sent = request.get_json(silent=True) or {}
    ticket = {"qr": sent["qr"]} if sent.get("qr") else {"code": str(sent.get("code", "")).strip()}
    body = {"event_id": str(event_id), "gate": str(sent.get("gate", ""))[:60]} | ticket
    try:
        answer = apis.call("booking", "POST", "/v1/checkins", signed_in_token(), json=body).json()
    except apis.Refusal as refusal:
        if refusal.status == 409 and refusal.problem.get("checked_in_at"):
            used = refusal.problem
            return jsonify(
                outcome="used", checked_in_at=used["checked_in_at"], gate=used.get("gate", "")
            ), 409
        if refusal.status == 401:
            raise
        return jsonify(outcome="refused"), 422
    return jsonify(outcome="admitted", checked_in_at=answer.get("checked_in_at"), gate=answer.get("gate", ""))
