"""Events on booked spaces, their ticket types and seats, orders and tickets: the rules, no I/O.

An order: held → paid → cancelled (refunded by the event's policy)
               ↘ expired (the hold lapsed; a late payment is honoured if its places are still free)
               ↘ cancelled (abandoned by the buyer, or the event was cancelled)"""

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.domain.venue_booking import RequestRejected

CATEGORIES = (
    "cheo",
    "cai_luong",
    "theatre",
    "film",
    "concert",
    "exhibition",
    "craft_fair",
    "night_market",
    "festival",
    "workshop",
    "sport",
)
KINDS = ("general_admission", "seated", "free")
QR_PREFIX = "XDT1"


class SoldOut(Exception):
    """Asked for more than is left; nothing was held."""

    def __init__(self, message: str, seats: list[str] | None = None) -> None:
        super().__init__(message)
        self.seats = seats or []


class Faults:
    """Field errors gathered while checking a request, raised together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise RequestRejected(self.errors)


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, so that `cheo` finds `Chèo` and `dong` finds `Đông`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Seat:
    label: str
    category: str
    accessible: bool


def seats_of(layout: dict[str, Any]) -> list[Seat]:
    """Every seat of a seated layout, in the order of its sections and rows."""
    return [
        Seat(f"{section['name']} {row['label']}{n}", row["category"], n in row.get("accessible", []))
        for section in layout.get("sections", [])
        for row in section["rows"]
        for n in range(1, row["seats"] + 1)
    ]


def check_event(
    booking: dict[str, Any],
    layout_kind: str,
    capacity: int,
    layout: dict[str, Any],
    body: dict[str, Any],
    others: list[list[dict[str, datetime]]],
) -> dict[str, list[Seat]]:
    """Faults of a new event on a confirmed booking, beside the sessions of the `others` on it;
    the seats each seated ticket type sells."""
    faults = Faults()
    if booking["status"] != "confirmed":
        faults.add("venue_booking_id", f"the booking is {booking['status']}, not confirmed")
    _check_sessions(faults, booking, body["sessions"], others)
    seats = seats_of(layout) if layout_kind == "seated" else []
    categories = {seat.category for seat in seats}
    sold_by_type: dict[str, list[Seat]] = {}
    counted = 0
    for i, t in enumerate(body["ticket_types"]):
        where = f"ticket_types.{i}"
        if t["sale_starts_at"] >= t["sale_ends_at"]:
            faults.add(where, "the sale must open before it closes")
        if t["kind"] == "seated":
            if layout_kind != "seated":
                faults.add(where, "this space has no seat map")
            elif t.get("seat_category") not in categories:
                faults.add(where, f"no seats of category {t.get('seat_category')!r} in this space")
            elif t["seat_category"] in sold_by_type:
                faults.add(where, "another ticket type already sells this seat category")
            else:
                sold_by_type[t["seat_category"]] = [s for s in seats if s.category == t["seat_category"]]
        elif not t.get("quota"):
            faults.add(where, "a quota is needed")
        else:
            counted += t["quota"]
        if t["kind"] == "free" and t["price"] != 0:
            faults.add(where, "a free registration has price 0")
        if t["kind"] != "free" and t["price"] == 0:
            faults.add(where, "a ticket with price 0 is a free registration")
    counted += sum(len(sold) for sold in sold_by_type.values())
    if layout_kind in ("general_admission", "seated") and counted > capacity:
        faults.add(
            "ticket_types", f"quotas and seats add up to {counted}, more than the space holds ({capacity})"
        )
    faults.raise_any()
    return sold_by_type


def check_sessions(
    booking: dict[str, Any], sessions: list[dict[str, Any]], others: list[list[dict[str, datetime]]]
) -> None:
    """Faults of an event's new sessions: each within the booked time, none at once with another's."""
    faults = Faults()
    _check_sessions(faults, booking, sessions, others)
    faults.raise_any()


def _check_sessions(
    faults: "Faults",
    booking: dict[str, Any],
    sessions: list[dict[str, Any]],
    others: list[list[dict[str, datetime]]],
) -> None:
    """The space's seats and room are sold once per session: two events on one booking take
    turns, never run at once."""
    for i, s in enumerate(sessions):
        if not booking["starts_at"] <= s["start"] < s["end"] <= booking["ends_at"]:
            faults.add("sessions", f"session {i + 1} must lie within the booked time, start before end")
        if any(s["start"] < o["end"] and o["start"] < s["end"] for other in others for o in other):
            faults.add("sessions", f"session {i + 1} runs at once with another event on this booking")


def check_order(
    event: Any, types: dict[str, Any], items: list[dict[str, Any]], seat_types: list[str], now: datetime
) -> None:
    """Faults of an order before anything is held: what it asks for, when, and how many."""
    faults = Faults()
    if event.status != "published":
        faults.add("event_id", "the event is not on sale")
    asked: dict[str, int] = {}
    for item in items:
        if item["ticket_type_id"] not in types:
            faults.add("items", f"no ticket type {item['ticket_type_id']} in this event")
        elif types[item["ticket_type_id"]].kind == "seated":
            faults.add("items", "seated tickets are ordered by seat")
        else:
            asked[item["ticket_type_id"]] = asked.get(item["ticket_type_id"], 0) + item["quantity"]
    for type_id in seat_types:
        asked[type_id] = asked.get(type_id, 0) + 1
    for type_id, quantity in asked.items():
        t = types[type_id]
        if not t.sale_starts_at <= now < t.sale_ends_at:
            faults.add("items", f"{t.name['en']}: not on sale now")
        if quantity > t.per_order_limit:
            faults.add("items", f"{t.name['en']}: at most {t.per_order_limit} per order")
    faults.raise_any()


# --- tickets ---------------------------------------------------------------------------------------
def shown_status(status: str, expires_at: datetime, now: datetime) -> str:
    """An order as its buyer sees it: a hold whose time is over is expired, before the sweeper
    gets to it too."""
    return "expired" if status == "held" and expires_at < now else status


def new_code() -> str:
    """128 random bits: a ticket cannot be guessed from another."""
    return secrets.token_urlsafe(16)


def new_order_token() -> tuple[str, str]:
    """The token a guest reads their order with, and the hash that is kept of it."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signature(key: bytes, code: str) -> str:
    digest = hmac.new(key, f"{QR_PREFIX}.{code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def qr_payload(key: bytes, code: str) -> str:
    """What the QR image says: the code and a signature a scanner can check without us."""
    return f"{QR_PREFIX}.{code}.{_signature(key, code)}"


def code_from_qr(key: bytes, payload: str) -> str | None:
    """The ticket code of a genuine QR payload; None for a forged or damaged one."""
    prefix, _, rest = payload.partition(".")
    code, _, signature = rest.rpartition(".")
    if prefix != QR_PREFIX or not code:
        return None
    return code if hmac.compare_digest(signature, _signature(key, code)) else None
