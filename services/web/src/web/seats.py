"""Choosing seats: the hall drawn as inline SVG on the server from the space's layout (venues),
each seat's state from booking, matched by the label booking gives each seat (section, row,
number); every free seat a checkbox of the map (arrow keys move, Space chooses: seatmap.js), and
the plain list of free seats beside it, which works without any script."""

import uuid
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.forms import FieldErrors
from web.pages import _, page
from web.public import event_and_venue

seating = Blueprint("seating", __name__)
PITCH, ROW_HEIGHT, SECTION_GAP, MARGIN = 28, 30, 24, 40  # the drawing's units


@dataclass(frozen=True)
class DrawnSeat:
    id: str
    label: str
    row: str  # section and row: the seats that arrow keys move along
    x: int
    y: int
    state: str
    accessible: bool
    price: int


def seat_states(event_id: str) -> dict[str, dict[str, Any]]:
    """Every seat of the event by its label, page after page."""
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        asked = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        answer = apis.read("booking", f"/v1/events/{event_id}/seats", params=asked)
        found |= {s["label"]: s for s in answer["items"]}
        cursor = answer["next_cursor"]
        if cursor is None:
            return found


def draw(
    layout: dict[str, Any], states: dict[str, dict[str, Any]], prices: dict[str, int]
) -> tuple[list[DrawnSeat], int, int]:
    """The seats where the layout puts them: a line per row, sections one under another."""
    drawn, y, widest = [], MARGIN, 0
    for section in layout.get("sections", []):
        for row in section["rows"]:
            for n in range(1, row["seats"] + 1):
                label = f"{section['name']} {row['label']}{n}"
                seat = states.get(label)
                if seat is None:
                    continue
                x = MARGIN + (n - 1) * PITCH
                widest = max(widest, x)
                drawn.append(
                    DrawnSeat(
                        seat["id"],
                        label,
                        f"{section['name']} {row['label']}",
                        x,
                        y,
                        seat["state"],
                        seat["accessible"],
                        prices[seat["ticket_type_id"]],
                    )
                )
            y += ROW_HEIGHT
        y += SECTION_GAP
    return drawn, widest + MARGIN, y


def _space(venue: dict[str, Any], space_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in venue["spaces"] if s["id"] == space_id)
    return found


def seat_page(event_id: str, status: int = 200, errors: FieldErrors | None = None) -> tuple[str, int]:
    event, venue, _left = event_and_venue(event_id)
    prices = {t["id"]: t["price"] for t in event["ticket_types"]}
    seats, width, height = draw(_space(venue, event["space_id"])["layout"], seat_states(event_id), prices)
    chosen = set(request.form.getlist("seat"))
    return page(
        "seats.html",
        _("Choose your seats"),
        status,
        event=event,
        seats=seats,
        width=width,
        height=height,
        chosen=chosen,
        errors=errors or FieldErrors(),
    )


@seating.get("/events/<uuid:event_id>/seats")
def choose(event_id: Any) -> tuple[str, int]:
    return seat_page(str(event_id))


@seating.post("/events/<uuid:event_id>/seats")
def chosen(event_id: Any) -> ResponseReturnValue:
    picked = request.form.getlist("seat")
    if not picked:
        errors = FieldErrors()
        errors.add("seats", _("Choose at least one free seat."))
        return seat_page(str(event_id), 422, errors)
    session["basket"] = {"event_id": str(event_id), "items": [], "seats": picked, "key": str(uuid.uuid4())}
    return redirect(url_for("buying.checkout"))
