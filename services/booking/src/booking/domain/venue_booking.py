"""An organiser's booking of a space: the checks a request must pass, its fee, and its states.

requested → held → approved → awaiting_payment → confirmed
          ↘ conflicted  ↘ rejected        ↘ expired
and cancelled from any state that still holds or waits for time."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CANCELLABLE = ("requested", "held", "approved", "awaiting_payment", "confirmed")


class RequestRejected(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class TransitionRefused(ValueError):
    pass


@dataclass(frozen=True)
class Space:
    """What venues announced of a space (`venues.space.published`), but who manages it: that is
    the identity service's to say, and the door reads it from the token."""

    id: str
    venue_id: str
    venue_status: str
    layout_kind: str
    capacity: int
    plots: dict[str, str]  # code → id
    layout: dict[str, Any]
    rules: dict[str, Any]


@dataclass(frozen=True)
class Fee:
    amount: int
    deposit: int


def _within_opening_hours(rules: dict[str, Any], start: datetime, end: datetime) -> bool:
    """The whole booking lies inside one opening interval, local time. An interval that closes
    before it opens runs past midnight (a night market open 17:00 to 01:00), so the day before
    the booking's start is looked at too; "23:59" closes at midnight."""
    local_start, local_end = start.astimezone(LOCAL), end.astimezone(LOCAL)
    for day in (local_start.date(), local_start.date() - timedelta(days=1)):
        for opens, closes in rules["opening_hours"].get(DAYS[day.weekday()], []):
            o, c = (datetime.combine(day, _hhmm(t), LOCAL) for t in (opens, closes))
            if c <= o:
                c += timedelta(days=1)
            if closes == "23:59":
                c += timedelta(minutes=1)
            if o <= local_start and local_end <= c:
                return True
    return False


def _hhmm(text: str) -> Any:
    return datetime.strptime(text, "%H:%M").time()


def check_request(
    space: Space | None, start: datetime, end: datetime, plot_code: str | None, now: datetime
) -> tuple[Space, str | None]:
    """The space and plot id when a request may go to the venue; every fault otherwise."""
    errors: dict[str, list[str]] = {}

    def fault(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if space is None:
        raise RequestRejected({"space_id": ["no such space"]})
    if space.venue_status != "active":
        fault("space_id", "the venue does not take bookings now")
    plot_id = None
    if plot_code is not None:
        if space.layout_kind != "plots":
            fault("plot", "this space is not divided into plots")
        elif plot_code not in space.plots:
            fault("plot", "no such plot in this space")
        else:
            plot_id = space.plots[plot_code]
    elif space.layout_kind == "plots":
        fault("plot", "name the plot to book in this space")
    rules = space.rules
    if end <= start:
        fault("end", "must come after start")
    elif start < now:
        fault("start", "is in the past")
    else:
        if start < now + timedelta(hours=rules["lead_time_hours"]):
            fault("start", f"must be at least {rules['lead_time_hours']} hours ahead")
        minutes = (end - start).total_seconds() / 60
        if minutes < rules["min_duration_minutes"]:
            fault("end", f"a booking lasts at least {rules['min_duration_minutes']} minutes")
        if minutes > rules["max_duration_minutes"]:
            fault("end", f"a booking lasts at most {rules['max_duration_minutes']} minutes")
        if not _within_opening_hours(rules, start, end):
            fault("start", "outside the space's opening hours (Asia/Ho_Chi_Minh)")
    if errors:
        raise RequestRejected(errors)
    return space, plot_id


def quote(space: Space, start: datetime, end: datetime, plot_code: str | None) -> Fee:
    """Rate × duration: started hours, or nights (a plot's own price per night), in VND."""
    rules = space.rules
    if rules.get("free_public_use"):
        return Fee(0, 0)
    if rules["rate"]["unit"] == "hour":
        amount = math.ceil((end - start).total_seconds() / 3600) * rules["rate"]["amount"]
    else:
        nights = max(1, (end.astimezone(LOCAL).date() - start.astimezone(LOCAL).date()).days)
        plots = {p["code"]: p for p in space.layout.get("plots", [])}
        per_night = plots[plot_code]["price_per_night"] if plot_code in plots else rules["rate"]["amount"]
        amount = nights * per_night
    return Fee(amount, math.ceil(amount * share(rules["deposit_share"])))


def share(value: float) -> Fraction:
    """A share as written (0.07 is 7/100, not 0.07000000000000000666), so that đồng come out exact."""
    return Fraction(str(value))


def refund_share(policy: list[dict[str, Any]], start: datetime, now: datetime) -> Fraction:
    """The share of what was paid that comes back, by how many days' notice the cancellation gives."""
    notice_days = (start - now).total_seconds() / 86400
    steps = sorted(policy, key=lambda s: -s["notice_days"])
    return next((share(s["refund_share"]) for s in steps if notice_days >= s["notice_days"]), Fraction(0))


NEXT = {
    ("requested", "held"): "held",
    ("requested", "conflicted"): "conflicted",
    ("held", "approved"): "approved",
    ("held", "rejected"): "rejected",
    ("approved", "awaiting_payment"): "awaiting_payment",
    ("approved", "confirmed"): "confirmed",
    ("awaiting_payment", "confirmed"): "confirmed",
    ("awaiting_payment", "expired"): "expired",
}


def advance(status: str, to: str) -> str:
    """The next state, or a refusal for a move the saga does not make (a late or replayed event)."""
    if to == "cancelled" and status in CANCELLABLE:
        return to
    if (status, to) not in NEXT:
        raise TransitionRefused(f"a {status} booking cannot become {to}")
    return NEXT[(status, to)]
