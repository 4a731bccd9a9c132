"""The public's pages, no sign-in needed: what is on this week, search, the event page, the
language switch."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from eventbus.fields import LOCAL
from web import account, apis
from web.forms import FieldErrors
from web.pages import _, page

public = Blueprint("public", __name__)


def areas() -> list[dict[str, Any]]:
    return list(apis.read("venues", "/v1/areas", params={"limit": 200})["items"])


def _day(value: str, field: str, errors: FieldErrors, end: bool = False) -> str | None:
    """A date from the form (YYYY-MM-DD) as the first or last moment of that day in Hải Dương."""
    if not value:
        return None
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        errors.add(field, _("Enter a date such as 2026-12-31."))
        return None
    return datetime.combine(chosen, time.max if end else time.min, LOCAL).isoformat()


def _priced(event: dict[str, Any], price: str) -> bool:
    paid = any(t["price"] > 0 for t in event["ticket_types"])
    return price == "" or (price == "paid") == paid


def find(asked: dict[str, str], errors: FieldErrors) -> tuple[list[dict[str, Any]], str | None]:
    """Published events for the search form's fields; free or paid is sorted out here, as the
    booking service's search does not ask it."""
    query = {
        "from": _day(asked.get("from", ""), "from", errors),
        "to": _day(asked.get("to", ""), "to", errors, end=True),
        "q": asked.get("q", "").strip() or None,
        "area": asked.get("area") or None,
        "venue_kind": asked.get("venue_kind") or None,
        "category": asked.get("category") or None,
        "cursor": asked.get("cursor") or None,
        "limit": 20,
    }
    if errors:
        return [], None
    try:
        found = apis.read("booking", "/v1/events", params={k: v for k, v in query.items() if v})
    except apis.Refusal as refusal:
        errors.take(refusal, {"from": "from", "to": "to"})
        return [], None
    return [e for e in found["items"] if _priced(e, asked.get("price", ""))], found["next_cursor"]


def results(template: str, title: str, asked: dict[str, str]) -> tuple[str, int]:
    errors = FieldErrors()
    events, cursor = find(asked, errors)
    fragment = "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers
    return page(
        "_results.html" if fragment else template,
        title,
        422 if errors else 200,
        events=events,
        more_url=more(asked, cursor),
        asked=asked,
        errors=errors,
        areas=areas() if not fragment else [],
    )


def more(asked: dict[str, str], cursor: str | None) -> str | None:
    """The search's next page, with the same fields (the home page's week goes on there too)."""
    if cursor is None:
        return None
    kept: dict[str, Any] = {k: v for k, v in asked.items() if v and k != "cursor"}
    return url_for("public.search", **kept, cursor=cursor)


@public.get("/")
def home() -> tuple[str, int]:
    """What is on this week, near you: the area and the kind of venue narrow it."""
    today = datetime.now(LOCAL).date()
    asked = {k: request.args.get(k, "") for k in ("area", "venue_kind")}
    asked |= {"from": today.isoformat(), "to": (today + timedelta(days=6)).isoformat()}
    return results("home.html", _("What is on this week"), asked)


SEARCH_FIELDS = ("q", "from", "to", "area", "venue_kind", "category", "price", "cursor")


def search_asked() -> dict[str, str]:
    return {k: request.args.get(k, "") for k in SEARCH_FIELDS}


@public.get("/search")
def search() -> tuple[str, int]:
    return results("search.html", _("Find an event"), search_asked())


@public.get("/embed/events")
def embed() -> tuple[str, int]:
    """The search's events as a widget that other sites may frame (the only page that may be):
    the same fields as the search, and `lang` for its language."""
    g.embeddable = True
    return results("embed.html", _("On stage in Hải Dương"), search_asked())


def event_and_venue(event_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, int]]:
    event = apis.read("booking", f"/v1/events/{event_id}", account.access_token())
    venue = apis.read("venues", f"/v1/venues/{event['venue_id']}")
    left = apis.read("booking", f"/v1/events/{event_id}/availability")["ticket_types"]
    return event, venue, {t["id"]: t["available"] for t in left}


def structured_data(event: dict[str, Any], venue: dict[str, Any], left: dict[str, int]) -> dict[str, Any]:
    """schema.org Event, for search engines and the provincial portal."""
    offers = [
        {
            "@type": "Offer",
            "name": t["name"]["vi"],
            "price": t["price"],
            "priceCurrency": "VND",
            "availability": "https://schema.org/" + ("InStock" if left.get(t["id"]) else "SoldOut"),
            "validFrom": t["sale_starts_at"],
        }
        for t in event["ticket_types"]
    ]
    first = event["sessions"][0]
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event["title"]["vi"],
        "description": event["description"]["vi"],
        "startDate": first["start"],
        "endDate": first["end"],
        "eventStatus": "https://schema.org/"
        + ("EventCancelled" if event["status"] == "cancelled" else "EventScheduled"),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "inLanguage": "vi",
        "location": {"@type": "Place", "name": venue["name"]["vi"], "address": venue["address"]},
        "offers": offers,
    }


def selling(event: dict[str, Any]) -> dict[str, str]:
    """Each ticket type's sale now: "soon" (its window opens later), "open" or "over"."""
    now = datetime.now(UTC)

    def state(opens: str, closes: str) -> str:
        return (
            "soon"
            if now < datetime.fromisoformat(opens)
            else "open"
            if now < datetime.fromisoformat(closes)
            else "over"
        )

    return {t["id"]: state(t["sale_starts_at"], t["sale_ends_at"]) for t in event["ticket_types"]}


@public.get("/events/<uuid:event_id>")
def event(event_id: Any) -> tuple[str, int]:
    return event_page(*event_and_venue(str(event_id)))


def event_page(
    shown: dict[str, Any], venue: dict[str, Any], left: dict[str, int], errors: FieldErrors | None = None
) -> tuple[str, int]:
    """The event page; with the basket's field errors when its tickets were refused."""
    return page(
        "event.html",
        shown["title"]["vi" if session.get("language", "vi") == "vi" else "en"],
        422 if errors else 200,
        event=shown,
        venue=venue,
        left=left,
        selling=selling(shown),
        structured=structured_data(shown, venue, left),
        errors=errors or FieldErrors(),
    )


@public.post("/events/<uuid:event_id>/waiting-list")
def join_waiting_list(event_id: Any) -> tuple[str, int]:
    """A sold-out ticket type's queue: places that come back are offered by email, in order."""
    email = request.form.get("email", "").strip()
    body = {
        "ticket_type_id": request.form.get("ticket_type_id", ""),
        "email": email,
        "language": session.get("language", "vi"),
    }
    try:
        apis.call("booking", "POST", f"/v1/events/{event_id}/waiting-list", json=body)
    except apis.Refusal as refusal:
        if refusal.status == 422:
            return page(
                "trouble.html",
                _("Enter a valid email address"),
                422,
                advice=_("Go back and enter the address the offer should go to."),
            )
        if refusal.status != 409:
            raise
        return page(
            "trouble.html",
            _("You are already waiting"),
            409,
            advice=_("This email is on the waiting list already."),
        )
    advice = _(
        "When a place comes back, we email %(email)s an offer to buy it, for a limited time.", email=email
    )
    return page("trouble.html", _("You are on the waiting list"), 201, advice=advice)


@public.post("/language")
def choose_language() -> Response:
    """The switch stays: the choice is kept in the session, for every page after it."""
    chosen = request.form.get("language", "")
    if chosen not in ("vi", "en"):
        abort(400)
    session["language"] = chosen
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else url_for("public.home"))
