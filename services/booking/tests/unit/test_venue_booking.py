"""The rules a venue booking follows: what may be asked, what it costs, what comes back."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from booking.domain.venue_booking import (
    RequestRejected,
    Space,
    TransitionRefused,
    advance,
    check_request,
    quote,
    refund_share,
)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Hải Dương, a Tuesday


def space(**rules: Any) -> Space:
    base = {
        "opening_hours": {"tue": [["08:00", "17:00"]], "fri": [["17:00", "01:00"]]},
        "min_duration_minutes": 60,
        "max_duration_minutes": 480,
        "lead_time_hours": 24,
        "buffer_minutes": 30,
        "rate": {"unit": "hour", "amount": 350_000},
        "deposit_share": 0.07,
        "needs_approval": True,
        "cancellation_policy": [
            {"notice_days": 7, "refund_share": 1.0},
            {"notice_days": 2, "refund_share": 0.7},
        ],
    }
    layout = {"kind": "plots", "plots": [{"code": "A01", "price_per_night": 150_000}]}
    return Space("s1", "v1", "active", "general_admission", 100, {"A01": "p1"}, layout, base | rules)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_a_request_inside_opening_hours_with_notice_is_taken() -> None:
    assert check_request(space(), local(8, 9), local(8, 12), None, NOW)[1] is None


def test_an_opening_that_runs_past_midnight_takes_a_booking_after_midnight() -> None:
    check_request(space(), local(11, 23), local(12, 0, 45), None, NOW)  # Friday 23:00 to Saturday 00:45
    with pytest.raises(RequestRejected):
        check_request(space(), local(12, 0, 30), local(12, 1, 30), None, NOW)  # ends after 01:00


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (local(8, 12), local(8, 9), "end"),  # ends before it starts
        (local(1, 8), local(1, 9), "start"),  # in the past
        (local(1, 15), local(1, 16), "start"),  # no 24 hours' notice
        (local(8, 9), local(8, 9, 30), "end"),  # shorter than an hour
        (local(8, 6), local(8, 9), "start"),  # before opening
        (local(9, 9), local(9, 11), "start"),  # closed on Wednesdays
    ],
)
def test_a_request_out_of_the_rules_names_the_field_at_fault(
    start: datetime, end: datetime, field: str
) -> None:
    with pytest.raises(RequestRejected) as refused:
        check_request(space(), start, end, None, NOW)
    assert field in refused.value.errors


def test_started_hours_are_charged_and_the_deposit_is_exact() -> None:
    fee = quote(space(), local(8, 9), local(8, 11, 10), None)
    assert (fee.amount, fee.deposit) == (3 * 350_000, 73_500)  # 7 % of 1,050,000, no float drift


def test_a_plot_is_charged_its_own_price_per_night() -> None:
    fee = quote(space(rate={"unit": "night", "amount": 200_000}), local(11, 18), local(11, 23), "A01")
    assert fee.amount == 150_000


def test_free_public_use_costs_nothing() -> None:
    assert quote(space(free_public_use=True), local(8, 9), local(8, 11), None).amount == 0


def test_the_refund_share_follows_the_notice_given() -> None:
    policy = space().rules["cancellation_policy"]
    start = local(20, 9)
    assert refund_share(policy, start, start - timedelta(days=8)) == 1
    assert refund_share(policy, start, start - timedelta(days=3)) == Fraction(7, 10)
    assert refund_share(policy, start, start - timedelta(hours=5)) == 0


def test_the_saga_moves_only_forward() -> None:
    assert advance("requested", "held") == "held"
    assert advance("confirmed", "cancelled") == "cancelled"
    for status, to in [("cancelled", "held"), ("conflicted", "approved"), ("expired", "confirmed")]:
        with pytest.raises(TransitionRefused):
            advance(status, to)
