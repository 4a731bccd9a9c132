"""The organisers' pages: sign up (the identity service verifies the email), find a free space
by date, time, area, kind and capacity, request it, see their bookings with their states and
reasons, pay the venue fee by card, create an event on a confirmed booking and publish it."""

from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from eventbus.fields import LOCAL
from web import account, apis
from web.forms import FieldErrors
from web.pages import _, page
from web.public import areas

organiser = Blueprint("organiser", __name__)
PRIVACY_NOTICE = "2026-12-01"  # the version of the identity service's notice the form shows
ORGANISATION_KINDS = ("troupe", "company", "school", "cooperative", "ngo", "individual")


def signed_in_token() -> str:
    token = account.access_token()
    if token is None:
        raise apis.Refusal(401, "sign in")
    return token


@organiser.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> ResponseReturnValue:
    errors, form = FieldErrors(), request.form
    if request.method == "GET":
        return page(
            "sign_up.html", _("Create an organiser account"), form={}, errors=errors, kinds=ORGANISATION_KINDS
        )
    if form.get("privacy") != "yes":
        errors.add("privacy", _("Accept the privacy notice to create an account."))
    body = {
        "email": form.get("email", "").strip(),
        "password": form.get("password", ""),
        "display_name": form.get("display_name", "").strip(),
        "language": form.get("language", "vi"),
        "privacy_notice": PRIVACY_NOTICE,
        "organisation": {
            "name": form.get("organisation", "").strip(),
            "kind": form.get("kind", ""),
            "tax_code": None,
            "address": None,
            "contact": None,
        },
    }
    if not errors:
        try:
            apis.call("identity", "POST", "/v1/accounts", json=body)
        except apis.Refusal as refusal:
            if refusal.status != 422:
                raise
            errors.take(
                refusal, {name: name for name in ("email", "password", "display_name", "organisation")}
            )
    if errors:
        return page(
            "sign_up.html",
            _("Create an organiser account"),
            422,
            form=form,
            errors=errors,
            kinds=ORGANISATION_KINDS,
        )
    return page(
        "trouble.html",
        _("Check your email"),
        202,
        advice=_(
            "We sent a link to %(email)s: open it to confirm the address, then sign in.", email=body["email"]
        ),
    )


def asked_window(form: Any, errors: FieldErrors) -> tuple[datetime, datetime] | None:
    try:
        day = date.fromisoformat(form.get("day", ""))
        starts, ends = time.fromisoformat(form.get("start", "")), time.fromisoformat(form.get("end", ""))
    except ValueError:
        errors.add("day", _("Enter the day and the start and end times."))
        return None
    if ends <= starts:
        errors.add("end", _("The end must come after the start."))
        return None
    return datetime.combine(day, starts, LOCAL), datetime.combine(day, ends, LOCAL)


@organiser.get("/organiser/find")
def find_space() -> ResponseReturnValue:
    signed_in_token()
    errors, asked = FieldErrors(), request.args
    found: list[dict[str, Any]] = []
    window = asked_window(asked, errors) if asked.get("day") else None
    if window:
        query = {
            "from": window[0].isoformat(),
            "to": window[1].isoformat(),
            "min_capacity": asked.get("capacity") or 1,
        }
        query |= {k: asked[f] for k, f in (("kind", "venue_kind"), ("area", "area")) if asked.get(f)}
        try:
            found = apis.read("venues", "/v1/availability", params=query | {"limit": 50})["items"]
        except apis.Refusal as refusal:
            errors.take(refusal, {"from": "day", "to": "end", "min_capacity": "capacity"})
    return page(
        "find_space.html",
        _("Find a free space"),
        422 if errors else 200,
        asked=asked,
        found=found,
        window=window,
        areas=areas(),
        errors=errors,
    )


@organiser.post("/organiser/requests")
def request_space() -> ResponseReturnValue:
    token, form, errors = signed_in_token(), request.form, FieldErrors()
    window = asked_window(form, errors)
    attendance = form.get("attendance", "")
    if not form.get("title", "").strip():
        errors.add("title", _("Give the event a title."))
    if not attendance.isdigit() or int(attendance) < 1:
        errors.add("attendance", _("Enter how many people you expect."))
    weeks = form.get("weeks", "").strip()
    if weeks and not (weeks.isdigit() and 2 <= int(weeks) <= 52):
        errors.add("weeks", _("Weeks in a row: a number from 2 to 52, or nothing for once."))
    if errors or window is None:
        return page(
            "trouble.html",
            _("This cannot be done"),
            422,
            advice=" ".join(m for ms in errors.messages.values() for m in ms),
        )
    body = {
        "space_id": form["space_id"],
        "plot": form.get("plot") or None,
        "start": window[0].isoformat(),
        "end": window[1].isoformat(),
        "title": form["title"].strip(),
        "purpose": form.get("purpose", "").strip() or form["title"].strip(),
        "expected_attendance": int(attendance),
        "language": "vi",
        "recurrence": {"frequency": "weekly", "count": int(weeks)} if weeks else None,
    }
    apis.call("booking", "POST", "/v1/venue-bookings", token, json=body)
    return redirect(url_for("organiser.bookings"))


@organiser.get("/organiser/bookings")
def bookings() -> ResponseReturnValue:
    found = apis.read("booking", "/v1/venue-bookings", signed_in_token(), params={"limit": 50})["items"]
    return page("bookings.html", _("My bookings"), bookings=found)


@organiser.get("/organiser/bookings/<uuid:booking_id>/pay")
def pay_fee(booking_id: Any) -> ResponseReturnValue:
    booking = apis.read("booking", f"/v1/venue-bookings/{booking_id}", signed_in_token())
    settings = current_app.extensions["web_settings"]
    return page("pay_fee.html", _("Pay the venue fee"), booking=booking, settings=settings)


@organiser.post("/organiser/bookings/<uuid:booking_id>/payment")
def fee_payment(booking_id: Any) -> ResponseReturnValue:
    try:
        intent = apis.call(
            "booking", "POST", f"/v1/venue-bookings/{booking_id}/payment", signed_in_token(), json={}
        ).json()
    except apis.Refusal:
        return jsonify(error="refused"), 409
    return jsonify(client_secret=intent["client_secret"])


@organiser.get("/organiser/bookings/<uuid:booking_id>/status")
def fee_status(booking_id: Any) -> ResponseReturnValue:
    booking = apis.read("booking", f"/v1/venue-bookings/{booking_id}", signed_in_token())
    return jsonify(status=booking["status"])
