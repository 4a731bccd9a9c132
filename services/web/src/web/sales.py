"""The organisers' events, whatever their state, and each one's sales: sold, held, free and
checked in per ticket type (a table, and a chart of it), the revenue, and the buyers' list on the
page and as CSV."""

import csv
import io
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.formatting import text, when
from web.forms import FieldErrors
from web.organiser import signed_in_token
from web.pages import _, page

sales = Blueprint("sales", __name__)


@sales.get("/organiser/events")
def my_events() -> ResponseReturnValue:
    found = apis.read("booking", "/v1/me/events", signed_in_token())["items"]
    return page("my_events.html", _("My events"), events=found)


def _sales(event_id: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    token = signed_in_token()
    sold = apis.read("booking", f"/v1/events/{event_id}/sales", token)
    event = apis.read("booking", f"/v1/events/{event_id}", token)
    names = {t["id"]: text(t["name"]) for t in event["ticket_types"]}
    for order in sold["orders"]:
        order["tickets"] = "; ".join(
            f"{names.get(i['ticket_type_id'], '?')} × {i['quantity']}" for i in order["items"]
        )
    return event, sold


@sales.get("/organiser/events/<uuid:event_id>/sales")
def event_sales(event_id: Any) -> ResponseReturnValue:
    return _page(event_id, FieldErrors(), 200)


def chart(sold: dict[str, Any]) -> dict[str, Any]:
    """What the sales chart draws (the table's figures, in the page's words): per ticket type, the
    tickets sold, held, left and checked in."""
    types = sold["ticket_types"]
    counts = (("sold", _("Sold")), ("held", _("Held")), ("free", _("Left")), ("checked_in", _("Checked in")))
    return {
        "labels": [text(t["name"]) for t in types],
        "datasets": [{"label": label, "data": [t[key] for t in types]} for key, label in counts],
    }


def _page(event_id: Any, errors: FieldErrors, status: int) -> ResponseReturnValue:
    event, sold = _sales(event_id)
    title = _("Sales of %(title)s", title=text(event["title"]))
    cancelled = "cancelled" in request.args
    return page(
        "sales.html",
        title,
        status,
        event=event,
        sales=sold,
        chart=chart(sold),
        errors=errors,
        cancelled=cancelled,
    )


@sales.post("/organiser/events/<uuid:event_id>/cancel")
def cancel(event_id: Any) -> ResponseReturnValue:
    """The event is called off with a reason the buyers are told; booking refunds them in full."""
    reason, errors = request.form.get("reason", "").strip(), FieldErrors()
    if not reason:
        errors.add("reason", _("Say why the event is cancelled: the buyers are told."))
        return _page(event_id, errors, 422)
    try:
        path = f"/v1/events/{event_id}/cancel"
        apis.call("booking", "POST", path, signed_in_token(), json={"reason": reason})
    except apis.Refusal as refusal:
        if refusal.status == 409:
            errors.add("reason", _("This event is already cancelled."))
        elif refusal.status == 422:
            errors.take(refusal, {"reason": "reason"})
        else:
            raise
        return _page(event_id, errors, refusal.status)
    return redirect(url_for("sales.event_sales", event_id=event_id, cancelled=1))


def spreadsheet_cell(value: object) -> str:
    """A value as a spreadsheet should read it: text that starts like a formula (=, +, -, @, a
    tab or a return: a ticket type named "=HYPERLINK(…)", say) is kept as text by a leading
    apostrophe, so that opening the buyers' list runs nothing (OWASP's CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@sales.get("/organiser/events/<uuid:event_id>/buyers.csv")
def buyers(event_id: Any) -> Response:
    """The buyers' list for a spreadsheet: UTF-8 with a byte order mark, which Excel needs to read
    Vietnamese; amounts in whole đồng; times in Hải Phòng's."""
    _event, sold = _sales(event_id)
    written = io.StringIO()
    table = csv.writer(written)
    table.writerow([_("Order"), _("Email"), _("Tickets"), _("Total (đồng)"), _("Paid at"), _("Checked in")])
    for o in sold["orders"]:
        row = [o["id"], o["email"], o["tickets"], o["total"], when(o["paid_at"]), o["checked_in"]]
        table.writerow([spreadsheet_cell(v) for v in row])
    return Response(
        "\ufeff" + written.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=buyers-{event_id}.csv"},
    )
