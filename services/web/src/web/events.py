"""The organiser's event: created on a confirmed booking (its sessions within the booked time,
its ticket types with quotas, prices and a sale window), then published for sale."""

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.forms import FieldErrors, local_moment
from web.names import names
from web.organiser import signed_in_token
from web.pages import _, page

events = Blueprint("events", __name__)


def _moment(value: str, field: str, errors: FieldErrors) -> str | None:
    moment = local_moment(value)
    if moment is None:
        errors.add(field, _("Enter a date and time."))
    return moment.isoformat() if moment else None


def event_body(booking_id: str, form: Any, errors: FieldErrors) -> dict[str, Any]:
    for field in ("title_vi", "title_en", "type_vi", "type_en"):
        if not form.get(field, "").strip():
            errors.add(field, _("This field is required."))
    price, quota = form.get("price", ""), form.get("quota", "")
    if not price.isdigit():
        errors.add("price", _("Enter the price in đồng, 0 for free."))
    if not quota.isdigit() or int(quota) < 1:
        errors.add("quota", _("Enter how many tickets of this type are for sale."))
    start, end = _moment(form.get("start", ""), "start", errors), _moment(form.get("end", ""), "end", errors)
    kind = "free" if price == "0" else "general_admission"
    return {
        "venue_booking_id": booking_id,
        "title": {"vi": form.get("title_vi", "").strip(), "en": form.get("title_en", "").strip()},
        "description": {
            "vi": form.get("description_vi", "").strip(),
            "en": form.get("description_en", "").strip(),
        },
        "category": form.get("category", ""),
        "sessions": [{"start": start, "end": end}],
        "ticket_types": [
            {
                "name": {"vi": form.get("type_vi", "").strip(), "en": form.get("type_en", "").strip()},
                "kind": kind,
                "price": int(price) if price.isdigit() else 0,
                "quota": int(quota) if quota.isdigit() else 1,
            }
        ],
        "language": "vi",
    }


@events.route("/organiser/bookings/<uuid:booking_id>/event", methods=["GET", "POST"])
def create(booking_id: Any) -> ResponseReturnValue:
    token, errors = signed_in_token(), FieldErrors()
    booking = apis.read("booking", f"/v1/venue-bookings/{booking_id}", token)
    if request.method == "POST":
        body = event_body(str(booking_id), request.form, errors)
        if not errors:
            try:
                made = apis.call("booking", "POST", "/v1/events", token, json=body).json()
            except apis.Refusal as refusal:
                if refusal.status not in (409, 422):
                    raise
                errors.take(
                    refusal,
                    {
                        "title": "title_vi",
                        "sessions": "start",
                        "ticket_types": "type_vi",
                        "category": "category",
                    },
                )
            else:
                return redirect(url_for("events.draft", event_id=made["id"]))
    status = 422 if errors else 200
    categories = names()["category_names"]
    return page(
        "event_form.html",
        _("Create an event"),
        status,
        booking=booking,
        form=request.form,
        errors=errors,
        categories=categories,
    )


@events.get("/organiser/events/<uuid:event_id>")
def draft(event_id: Any) -> ResponseReturnValue:
    event = apis.read("booking", f"/v1/events/{event_id}", signed_in_token())
    return page("event_draft.html", _("Your event"), event=event)


@events.post("/organiser/events/<uuid:event_id>/publish")
def publish(event_id: Any) -> ResponseReturnValue:
    apis.call("booking", "POST", f"/v1/events/{event_id}/publish", signed_in_token(), json={})
    return redirect(url_for("public.event", event_id=event_id))
