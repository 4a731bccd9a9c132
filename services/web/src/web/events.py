"""The organiser's event: created on a confirmed booking (its session within the booked time, its
ticket types with their prices, quotas or seat categories and sale windows), published for sale,
then changed with a reason the buyers are told."""

from datetime import datetime
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from eventbus.fields import LOCAL
from web import apis
from web.formatting import moment
from web.forms import FieldErrors, local_moment
from web.names import names
from web.organiser import signed_in_token
from web.pages import _, page

events = Blueprint("events", __name__)
MOST_TYPES = 8  # ticket types one form offers (the booking service takes up to 20)
TYPE_FIELDS = ("type_vi", "type_en", "price", "quota", "seat_category", "sale_start", "sale_end")
# the booking service's names of what it refused, to the form's fields (a ticket type's fault, as
# `ticket_types.N`, goes to the name of the form's row it came from)
REFUSED = {
    "title": "title_vi",
    "description": "description_vi",
    "sessions": "start",
    "category": "category",
    "ticket_types": "type_vi-0",
}


def _moment(value: str, field: str, errors: FieldErrors, needed: bool = True) -> str | None:
    """The form's day and time as an ISO time in Hải Phòng's; None when left empty (and not
    needed) or not a time, which is then said next to the field."""
    if not value and not needed:
        return None
    moment = local_moment(value)
    if moment is None:
        errors.add(
            field, _("Enter a date and time.") if needed else _("Enter a date and time, or leave it empty.")
        )
    return moment.isoformat() if moment else None


def form_value(moment: str) -> str:
    """An ISO time as a datetime-local field shows it: the day and time in Hải Phòng."""
    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def type_count(form: Any) -> int:
    """How many ticket types the form shows: those it had, one more when the organiser asked."""
    had = str(form.get("types", "1"))
    count = int(had) if had.isdigit() else 1
    return max(1, min(MOST_TYPES, count + int(form.get("action") == "add")))


def _ticket_type(form: Any, i: int, categories: list[str], errors: FieldErrors) -> dict[str, Any] | None:
    """The form's i-th ticket type for the booking service; None for an extra one left empty."""
    given = {name: form.get(f"{name}-{i}", "").strip() for name in TYPE_FIELDS}
    if i > 0 and not any(given.values()):
        return None
    needed = {
        "type_vi": _("Enter the ticket's name in Vietnamese."),
        "type_en": _("Enter the ticket's name in English."),
    }
    for name, message in needed.items():
        if not given[name]:
            errors.add(f"{name}-{i}", message)
    price, quota = given["price"], given["quota"]
    if not price.isdigit():
        errors.add(f"price-{i}", _("Enter the price in đồng, 0 for free."))
    elif categories and price == "0":
        errors.add(
            f"price-{i}", _("A seat has a price: free registrations are for spaces without a seat map.")
        )
    ticket: dict[str, Any] = {
        "name": {"vi": given["type_vi"], "en": given["type_en"]},
        "kind": "seated" if categories else "free" if price == "0" else "general_admission",
        "price": int(price) if price.isdigit() else 0,
        "sale_starts_at": _moment(given["sale_start"], f"sale_start-{i}", errors, needed=False),
        "sale_ends_at": _moment(given["sale_end"], f"sale_end-{i}", errors, needed=False),
    }
    opens, closes = ticket["sale_starts_at"], ticket["sale_ends_at"]
    if opens and closes and datetime.fromisoformat(closes) <= datetime.fromisoformat(opens):
        errors.add(f"sale_end-{i}", _("The sale must close after it opens."))
    if categories:  # seats: as many as the layout has of the category
        if given["seat_category"] not in categories:
            errors.add(f"seat_category-{i}", _("Choose which seats this ticket is for."))
        return ticket | {"seat_category": given["seat_category"]}
    if not quota.isdigit() or int(quota) < 1:
        errors.add(f"quota-{i}", _("Enter how many tickets of this type are for sale."))
    return ticket | {"quota": int(quota) if quota.isdigit() else 1}


def _title_and_time(form: Any, errors: FieldErrors) -> tuple[dict[str, str], str | None, str | None]:
    """The event's title in both languages and its session's start and end, as the form that
    creates an event and the one that changes it give them."""
    title = {"vi": form.get("title_vi", "").strip(), "en": form.get("title_en", "").strip()}
    for language, message in (
        ("vi", _("Enter the title in Vietnamese.")),
        ("en", _("Enter the title in English.")),
    ):
        if not title[language]:
            errors.add(f"title_{language}", message)
    return title, _moment(form.get("start", ""), "start", errors), _moment(form.get("end", ""), "end", errors)


def event_body(
    booking_id: str, form: Any, categories: list[str], errors: FieldErrors
) -> tuple[dict[str, Any], list[int]]:
    """The booking service's new event from the form, and the form's row of each ticket type sent
    (an extra row left empty is not sent)."""
    title, start, end = _title_and_time(form, errors)
    rows: list[int] = []
    types: list[dict[str, Any]] = []
    for i in range(type_count(form)):
        ticket = _ticket_type(form, i, categories, errors)
        if ticket is None:
            continue
        if categories and ticket["seat_category"] in [t["seat_category"] for t in types]:
            errors.add(f"seat_category-{i}", _("Another ticket type already sells these seats."))
        rows.append(i)
        types.append(ticket)
    body = {
        "venue_booking_id": booking_id,
        "title": title,
        "description": {
            "vi": form.get("description_vi", "").strip(),
            "en": form.get("description_en", "").strip(),
        },
        "category": form.get("category", ""),
        "sessions": [{"start": start, "end": end}],
        "ticket_types": types,
        "language": "vi",
    }
    return body, rows


def seat_categories(booking: dict[str, Any]) -> list[str]:
    """The seat categories of the booked space's layout, when it is seated (else none)."""
    layout = apis.read("venues", f"/v1/spaces/{booking['space_id']}")["layout"]
    rows = [row for section in layout.get("sections", []) for row in section["rows"]]
    return sorted({row["category"] for row in rows}) if layout["kind"] == "seated" else []


@events.route("/organiser/bookings/<uuid:booking_id>/event", methods=["GET", "POST"])
def create(booking_id: Any) -> ResponseReturnValue:
    token, errors = signed_in_token(), FieldErrors()
    booking = apis.read("booking", f"/v1/venue-bookings/{booking_id}", token)
    categories = seat_categories(booking)
    if request.method == "POST" and request.form.get("action") != "add":
        body, rows = event_body(str(booking_id), request.form, categories, errors)
        if not errors:
            try:
                made = apis.call("booking", "POST", "/v1/events", token, json=body).json()
            except apis.Refusal as refusal:
                if refusal.status not in (409, 422):
                    raise
                each = {f"ticket_types.{n}": f"type_vi-{row}" for n, row in enumerate(rows)}
                errors.take(refusal, REFUSED | each)
            else:
                return redirect(url_for("events.draft", event_id=made["id"]))
    return page(
        "event_form.html",
        _("Create an event"),
        422 if errors else 200,
        booking=booking,
        form=request.form,
        errors=errors,
        categories=names()["category_names"],
        seat_categories=categories,
        types=type_count(request.form) if request.method == "POST" else 1,
        most_types=MOST_TYPES,
    )


def _shown(event: dict[str, Any], form: Any = None, errors: FieldErrors | None = None) -> tuple[str, int]:
    """The organiser's page of an event: what it is, publishing, and the form that changes it (its
    time only when it has one session: the form changes one)."""
    first = event["sessions"][0]
    kept = {
        "title_vi": event["title"]["vi"],
        "title_en": event["title"]["en"],
        "description_vi": event["description"]["vi"],
        "start": form_value(first["start"]),
        "end": form_value(first["end"]),
    }
    errors = errors or FieldErrors()
    return page(
        "event_draft.html",
        _("Your event"),
        422 if errors else 200,
        event=event,
        form=form or kept,
        errors=errors,
        one_session=len(event["sessions"]) == 1,
    )


@events.get("/organiser/events/<uuid:event_id>")
def draft(event_id: Any) -> ResponseReturnValue:
    return _shown(apis.read("booking", f"/v1/events/{event_id}", signed_in_token()))


@events.post("/organiser/events/<uuid:event_id>/publish")
def publish(event_id: Any) -> ResponseReturnValue:
    apis.call("booking", "POST", f"/v1/events/{event_id}/publish", signed_in_token(), json={})
    return redirect(url_for("public.event", event_id=event_id))


@events.post("/organiser/events/<uuid:event_id>/change")
def change(event_id: Any) -> ResponseReturnValue:
    """The event's words and time changed; once on sale, with the reason its buyers are told. Its
    sessions are sent only when the time moved (and it has one), so that a new title leaves them."""
    token, errors, form = signed_in_token(), FieldErrors(), request.form
    event = apis.read("booking", f"/v1/events/{event_id}", token)
    first, several = event["sessions"][0], len(event["sessions"]) > 1
    asked = dict(form.items()) | ({"start": first["start"], "end": first["end"]} if several else {})
    title, start, end = _title_and_time(asked, errors)
    reason = form.get("reason", "").strip()
    if event["status"] == "published" and not reason:
        errors.add("reason", _("Say why the event changes: its buyers are told."))
    if not errors:
        body: dict[str, Any] = {"title": title, "description": {"vi": form.get("description_vi", "").strip()}}
        moved = (
            start and end and [moment(start), moment(end)] != [moment(first["start"]), moment(first["end"])]
        )
        if moved:
            body["sessions"] = [{"start": start, "end": end}]
        try:
            apis.call(
                "booking", "PATCH", f"/v1/events/{event_id}", token, json=body | {"reason": reason or None}
            )
        except apis.Refusal as refusal:
            if refusal.status not in (409, 422):
                raise
            errors.take(refusal, REFUSED | {"reason": "reason"})
        else:
            return redirect(url_for("events.draft", event_id=event_id, changed=1))
    return _shown(event, form, errors)
