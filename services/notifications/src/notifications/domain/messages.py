"""Who hears of what: for each event the platform publishes, the messages it gives rise to, whom
each is for, and which pending reminders it makes moot. No I/O."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from eventbus.fields import LOCAL

# ADDRESS: whoever holds the address the event names, reached there by the channel it names
ORGANISER, MANAGERS, BUYER, ADDRESS = "organiser", "managers", "buyer", "address"


@dataclass(frozen=True)
class Message:
    template: str
    audience: str
    essential: bool = False  # tickets, payments and refunds go by email even to those who opted out
    # a reminder: when to send it, from the event's data and time (None: no reminder is due)
    when: Any = None


def _before(field: str, ahead: timedelta) -> Any:
    def when(data: dict[str, Any], _: datetime) -> datetime | None:
        moment = data.get(field)
        return datetime.fromisoformat(moment) - ahead if moment else None

    return when


def _payment_reminder(data: dict[str, Any], at: datetime) -> datetime | None:
    """12 hours before the deadline, or halfway to it when the time to pay is shorter than a day."""
    if not data.get("payment_due_at"):
        return None
    deadline = datetime.fromisoformat(data["payment_due_at"])
    return max(deadline - timedelta(hours=12), at + (deadline - at) / 2)


def _first_session(data: dict[str, Any], _: datetime) -> datetime | None:
    starts = [datetime.fromisoformat(s["start"]) for s in data.get("sessions", [])]
    return min(starts) - timedelta(hours=24) if starts else None


VENUE_BOOKING = "booking.venue_booking."
MESSAGES: dict[str, list[Message]] = {
    VENUE_BOOKING + "requested": [Message("request_received", ORGANISER)],
    VENUE_BOOKING + "held": [Message("request_held", ORGANISER)],
    VENUE_BOOKING + "conflicted": [Message("request_conflicted", ORGANISER)],
    VENUE_BOOKING + "approved": [Message("request_approved", ORGANISER)],
    VENUE_BOOKING + "rejected": [Message("request_rejected", ORGANISER)],
    VENUE_BOOKING + "awaiting_payment": [
        Message("payment_due", ORGANISER, essential=True),
        Message("payment_reminder", ORGANISER, essential=True, when=_payment_reminder),
    ],
    VENUE_BOOKING + "confirmed": [Message("booking_confirmed", ORGANISER, essential=True)],
    VENUE_BOOKING + "expired": [Message("booking_expired", ORGANISER)],
    VENUE_BOOKING + "cancelled": [Message("booking_cancelled", ORGANISER, essential=True)],
    VENUE_BOOKING + "refunded": [Message("booking_refunded", ORGANISER, essential=True)],
    "venues.slot.held": [Message("review_requested", MANAGERS)],
    "venues.slot.released": [Message("schedule_released", MANAGERS)],
    "booking.order.held": [
        Message("hold_expiring", BUYER, when=_before("expires_at", timedelta(minutes=3))),
    ],
    "booking.tickets.issued": [
        Message("order_confirmation", BUYER, essential=True),
        Message("event_reminder", BUYER, when=_first_session),
    ],
    "booking.waitlist.offered": [Message("waitlist_offer", BUYER)],
    "booking.order.cancelled": [Message("order_cancelled", BUYER, essential=True)],
    "booking.order.refunded": [Message("order_refunded", BUYER, essential=True)],
    "booking.order.event_changed": [
        Message("event_changed", BUYER, essential=True),
        Message("event_reminder", BUYER, when=_first_session),  # at the new time
    ],
}

# The identity service's challenges: a link or a code only the owner of an address may read, one
# message by its purpose, essential (an opt-out never withholds it). Only a code goes by SMS.
CHALLENGE = "identity.challenge.issued"
CHALLENGES = {
    purpose: Message(purpose, ADDRESS, essential=True)
    for purpose in ("verify_email", "reset_password", "sign_in_code", "already_registered")
}
BY_SMS = ("sign_in_code",)


class Unsendable(ValueError):
    """An event that asks for a message this service does not send: a publisher's mistake."""


def messages(event_type: str, data: dict[str, Any]) -> list[Message]:
    """The messages an event gives rise to: a challenge's is its purpose's."""
    if event_type != CHALLENGE:
        return MESSAGES.get(event_type, [])
    if data["purpose"] not in CHALLENGES:
        raise Unsendable(f"no message for a challenge to {data['purpose']}")
    if data["channel"] == "sms" and data["purpose"] not in BY_SMS:
        raise Unsendable(f"a challenge to {data['purpose']} holds a link: it goes by email, not SMS")
    return [CHALLENGES[data["purpose"]]]


# What an event settles: the reminders still pending about the same thing that no longer apply.
SETTLES: dict[str, tuple[str, ...]] = {
    VENUE_BOOKING + "confirmed": ("payment_reminder",),
    VENUE_BOOKING + "expired": ("payment_reminder",),
    VENUE_BOOKING + "cancelled": ("payment_reminder",),
    "booking.order.paid": ("hold_expiring",),
    "booking.order.expired": ("hold_expiring",),
    "booking.order.cancelled": ("hold_expiring", "event_reminder"),
    "booking.order.refunded": ("event_reminder",),
    "booking.order.event_changed": ("event_reminder",),
}


# A venue manager's daily digest of the requests still waiting for their review, at 07:00 in Hải
# Dương: a request waits from its slot's hold until the manager decides or the slot is released.
DIGEST = Message("review_digest", MANAGERS)
DIGEST_AT, DIGEST_UNTIL = time(7), time(12)  # written in the morning only
WAITS, REVIEWED = "venues.slot.held", ("venues.slot.approved", "venues.slot.rejected", "venues.slot.released")


def digest_moment(at: datetime) -> datetime | None:
    """When the digest due at `at` was due: 07:00 local time today, for the morning only, so that a
    worker back from an outage in the afternoon or at night leaves it to the next morning."""
    local = at.astimezone(LOCAL)
    if not DIGEST_AT <= local.time() < DIGEST_UNTIL:
        return None
    return datetime.combine(local.date(), DIGEST_AT, LOCAL)


def guest(email: str) -> str:
    """A buyer without an account, known by the email they bought with."""
    return f"guest:{email}"


def addressed(channel: str, address: str) -> str:
    """Whoever holds an address an event names, known by it alone."""
    return f"address:{channel}:{address}"


def about(data: dict[str, Any]) -> str:
    """The booking, order or event a message concerns: what a later event may settle."""
    return str(data.get("order_id") or data.get("venue_booking_id") or data.get("event_id") or "")


def vnd(amount: int) -> str:
    """150000 → "150.000 ₫", as amounts are written in Vietnam."""
    return f"{amount:,}".replace(",", ".") + " ₫"
