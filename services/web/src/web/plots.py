"""A night market's stall plots on its plot map: the plots drawn as inline SVG on the server from
the space's layout, those taken that night (the space's schedule) shaded; each free plot a link
that opens the request for it, and the plain list of free plots beside the map."""

from typing import Any

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from web import apis
from web.forms import FieldErrors
from web.organiser import asked_window, signed_in_token
from web.pages import _, page

plots = Blueprint("plots", __name__)
METRE, MARGIN = 12, 10  # the drawing's pixels per metre, and its border
GONE = ("rejected", "conflicted", "released", "cancelled", "expired")  # entries that hold no plot


@plots.get("/organiser/spaces/<uuid:space_id>/plots")
def plot_map(space_id: Any) -> ResponseReturnValue:
    signed_in_token()
    errors, asked = FieldErrors(), request.args
    window = asked_window(asked, errors)
    space = apis.read("venues", f"/v1/spaces/{space_id}")
    taken: set[str | None] = set()
    if window:
        when = {"from": window[0].isoformat(), "to": window[1].isoformat()}
        entries = apis.read("venues", f"/v1/spaces/{space_id}/schedule", params=when)["items"]
        taken = {e["plot"] for e in entries if e["status"] not in GONE}
    laid = space["layout"].get("plots", [])
    shown = [
        p
        | {
            "free": bool(window) and None not in taken and p["code"] not in taken,
            "px": MARGIN + p["x"] * METRE,
            "py": MARGIN + p["y"] * METRE,
        }
        for p in laid
    ]
    width = max((p["px"] + p["width_m"] * METRE for p in shown), default=0) + MARGIN
    height = max((p["py"] + p["depth_m"] * METRE for p in shown), default=0) + MARGIN
    chosen = next((p for p in shown if p["code"] == asked.get("plot") and p["free"]), None)
    return page(
        "plots.html",
        _("Choose a plot"),
        422 if errors else 200,
        space=space,
        plots=shown,
        width=width,
        height=height,
        metre=METRE,
        asked=asked,
        chosen=chosen,
        errors=errors,
    )
