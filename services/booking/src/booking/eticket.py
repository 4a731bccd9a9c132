"""The printable e-ticket: one HTML page in Vietnamese and English with the signed QR code inline;
and the QR code alone, as an SVG document an <img> can show."""

import io
from typing import Any

import jinja2
import segno
from markupsafe import Markup

from eventbus.fields import LOCAL

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("booking", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
)


def render_ticket(ticket: dict[str, Any]) -> str:
    qr = Markup(segno.make(ticket["qr"], error="m").svg_inline(scale=5))
    sessions = [
        f"{s['start'].astimezone(LOCAL):%H:%M %d/%m/%Y} – {s['end'].astimezone(LOCAL):%H:%M %d/%m/%Y}"
        for s in ticket["sessions"]
    ]
    return _templates.get_template("ticket.html").render(ticket=ticket, qr=qr, sessions=sessions)


def qr_image(payload: str) -> bytes:
    """A standalone SVG document (its namespace declared: without it a browser shows nothing
    for an <img>, as the inline markup of the page above needs none)."""
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="svg", scale=4)
    return out.getvalue()
