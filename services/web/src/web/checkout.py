"""Buying: the basket from the event page, checkout with an email and consent, paying by card
through Stripe.js (the browser confirms with Stripe, never with us), the order page with its
e-tickets, add-to-calendar and cancellation; "my tickets" once signed in. A guest's order is
read with the token booking gave it, kept in the session."""

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from eventbus.ical import CalendarEvent, calendar
from web import account, apis
from web.forms import FieldErrors
from web.pages import _, page
from web.public import event_and_venue, event_page, selling
from web.seats import seat_states

buying = Blueprint("buying", __name__)


def _quantities(event: dict[str, Any], errors: FieldErrors) -> list[dict[str, Any]]:
    chosen = []
    on_sale = selling(event)
    for kind in event["ticket_types"]:
        if kind["kind"] == "seated" or on_sale[kind["id"]] != "open":  # no field for it on the page
            continue
        field = f"qty-{kind['id']}"
        raw = request.form.get(field, "0").strip() or "0"
        if not raw.isdigit() or int(raw) > kind["per_order_limit"]:
            errors.add(field, _("Enter a number from 0 to %(most)s.", most=str(kind["per_order_limit"])))
        elif int(raw):
            chosen.append({"ticket_type_id": kind["id"], "quantity": int(raw)})
    if not chosen and not errors:
        first = next(
            (t for t in event["ticket_types"] if t["kind"] != "seated" and on_sale[t["id"]] == "open"), None
        )
        errors.add(f"qty-{first['id']}" if first else "seats", _("Choose how many tickets you want."))
    return chosen


@buying.post("/events/<uuid:event_id>/basket")
def basket(event_id: Any) -> ResponseReturnValue:
    shown, venue, left = event_and_venue(str(event_id))
    errors = FieldErrors()
    items = _quantities(shown, errors)
    if errors:
        return event_page(shown, venue, left, errors)
    session["basket"] = {"event_id": str(event_id), "items": items, "key": str(uuid.uuid4())}
    return redirect(url_for("buying.checkout"))


def _basket_page(
    status: int = 200, errors: FieldErrors | None = None, email: str = "", retry: str | None = None
) -> ResponseReturnValue:
    chosen = session.get("basket")
    if not chosen:
        return page(
            "trouble.html",
            _("Your basket is empty"),
            409,
            advice=_("Choose tickets on an event's page first."),
        )
    shown = apis.read("booking", f"/v1/events/{chosen['event_id']}")
    kinds = {t["id"]: t for t in shown["ticket_types"]}
    lines = [
        (kinds[i["ticket_type_id"]]["name"], i["quantity"], kinds[i["ticket_type_id"]]["price"])
        for i in chosen["items"]
    ]
    if chosen.get("seats"):
        by_id = {s["id"]: s for s in seat_states(chosen["event_id"]).values()}
        for seat in (by_id[i] for i in chosen["seats"] if i in by_id):
            kind = kinds[seat["ticket_type_id"]]
            lines.append(
                (
                    {
                        "vi": f"{kind['name']['vi']} · {seat['label']}",
                        "en": f"{kind['name']['en']} · {seat['label']}",
                    },
                    1,
                    kind["price"],
                )
            )
    total = sum(price * quantity for _name, quantity, price in lines)
    me = account.person() or {}
    return page(
        "checkout.html",
        _("Checkout"),
        status,
        event=shown,
        lines=lines,
        total=total,
        email=email or me.get("email", ""),
        errors=errors or FieldErrors(),
        retry=retry,
    )


@buying.get("/checkout")
def checkout() -> ResponseReturnValue:
    return _basket_page()


@buying.post("/checkout")
def place_order() -> ResponseReturnValue:
    chosen = session.get("basket")
    email = request.form.get("email", "").strip()
    errors = FieldErrors()
    if not email:
        errors.add("email", _("Enter your email address: the tickets are sent to it."))
    if request.form.get("consent") != "yes":
        errors.add("consent", _("Agree to the use of your email for this order to continue."))
    if errors or not chosen:
        return _basket_page(422, errors, email)
    body = {"event_id": chosen["event_id"], "email": email, "language": session.get("language", "vi")}
    try:
        answer = apis.call(
            "booking",
            "POST",
            "/v1/orders",
            account.access_token(),
            headers={"Idempotency-Key": chosen["key"]},
            json=body | {"items": chosen["items"], "seats": chosen.get("seats", [])},
        ).json()
    except apis.Refusal as refusal:
        if refusal.status == 422:
            errors.take(refusal, {"email": "email", "items": "email", "seats": "email"})
        elif chosen.get("seats") and refusal.status == 409:
            errors.add("seats", _("A seat you chose was taken by someone else meanwhile: choose another."))
            return _basket_page(
                409, errors, email, retry=url_for("seating.choose", event_id=chosen["event_id"])
            )
        else:
            errors.add("email", _("These tickets cannot be held: %(why)s", why=_sold_out(refusal)))
        return _basket_page(422 if refusal.status == 422 else 409, errors, email)
    session["orders"] = session.get("orders", {}) | {answer["id"]: answer["token"]}
    session.pop("basket")
    return redirect(url_for("buying.order", order_id=answer["id"]))


def _sold_out(refusal: apis.Refusal) -> str:
    if refusal.status == 409:
        return _("not that many are left, or you have reached the limit per buyer.")
    if refusal.status == 429:
        return _("too many tries: wait a minute.")
    return _("the event does not sell them now.")


def _read(order_id: str, path: str = "", method: str = "GET") -> dict[str, Any]:
    """The order as its buyer may see it: by the token in this session, else as signed in."""
    token = session.get("orders", {}).get(order_id)
    headers = {"X-Order-Token": token} if token else {}
    bearer = None if token else account.access_token()
    sent: dict[str, Any] = {"json": {}} if method == "POST" else {}
    found: dict[str, Any] = apis.call(
        "booking", method, f"/v1/orders/{order_id}{path}", bearer, headers, **sent
    ).json()
    return found


@buying.get("/orders/<uuid:order_id>")
def order(order_id: Any) -> ResponseReturnValue:
    shown = _read(str(order_id))
    event, venue, _left = event_and_venue(shown["event_id"])
    kinds = {t["id"]: t for t in event["ticket_types"]}
    settings = current_app.extensions["web_settings"]
    return page(
        "order.html", _("Your order"), order=shown, event=event, venue=venue, kinds=kinds, settings=settings
    )


@buying.post("/orders/<uuid:order_id>/payment")
def payment(order_id: Any) -> ResponseReturnValue:
    """What pay.js asks for: the PaymentIntent's client secret, for Stripe.js to confirm."""
    try:
        intent = _read(str(order_id), "/payment", "POST")
    except apis.Refusal:
        return jsonify(error=_("This order can no longer be paid: its hold may have run out.")), 409
    return jsonify(client_secret=intent["client_secret"])


@buying.get("/orders/<uuid:order_id>/status")
def status(order_id: Any) -> ResponseReturnValue:
    return jsonify(status=_read(str(order_id))["status"])


@buying.post("/orders/<uuid:order_id>/cancel")
def cancel(order_id: Any) -> ResponseReturnValue:
    _read(str(order_id), "/cancel", "POST")
    return redirect(url_for("buying.order", order_id=order_id))


@buying.get("/orders/<uuid:order_id>/calendar.ics")
def add_to_calendar(order_id: Any) -> ResponseReturnValue:
    shown = _read(str(order_id))
    event = apis.read("booking", f"/v1/events/{shown['event_id']}")
    sessions = [
        CalendarEvent(
            f"{event['id']}-{n}",
            datetime.fromisoformat(s["start"]),
            datetime.fromisoformat(s["end"]),
            event["title"]["vi"],
        )
        for n, s in enumerate(event["sessions"])
    ]
    document = calendar("web", sessions, datetime.now(UTC), event["title"]["vi"])
    return Response(
        document, mimetype="text/calendar", headers={"Content-Disposition": "attachment; filename=event.ics"}
    )


@buying.get("/tickets/<code>/qr.svg")
def ticket_qr(code: str) -> ResponseReturnValue:
    """The QR code from booking, served from our own origin (no page loads another's)."""
    image = apis.call("booking", "GET", f"/v1/tickets/{code}/qr.svg")
    return Response(image.data, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@buying.get("/my/tickets")
def my_tickets() -> ResponseReturnValue:
    token = account.access_token()
    if token is None:
        return redirect(url_for("account.sign_in", next=request.path))
    orders = apis.read("booking", "/v1/orders", token, params={"limit": 50})["items"]
    return page("my_tickets.html", _("My tickets"), orders=orders)
