"""What booking keeps of a person and what erasing them finds, on their own: the email of an account
only once proved; an order held past its time shown expired; a person's addresses found whole,
whatever their case, and never inside another's."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from booking.domain.ticketing import shown_status
from booking.people import proved_email
from eventbus.erasure import addresses

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_an_account_opens_guest_orders_with_its_email_only_once_proved() -> None:
    user = {"user_id": "u1", "email": "An@Example.vn"}
    assert proved_email(user | {"email_verified": False}) is None
    assert proved_email(user | {"email_verified": True}) == "An@Example.vn"


@pytest.mark.parametrize(
    "status, expires, shown",
    [
        ("held", NOW + timedelta(seconds=1), "held"),
        ("held", NOW - timedelta(seconds=1), "expired"),  # before the sweeper gets to it
        ("paid", NOW - timedelta(days=1), "paid"),
    ],
)
def test_an_order_held_past_its_time_shows_expired(status: str, expires: datetime, shown: str) -> None:
    assert shown_status(status, expires, NOW) == shown


FOUND = re.compile(addresses(["an.le+ve@example.vn"], ["+84901234567"]) or "", re.IGNORECASE)


@pytest.mark.parametrize(
    "text",
    [
        "an.le+ve@example.vn",
        "Liên hệ AN.LE+VE@Example.VN.",
        '{"email": "an.le+ve@example.vn"}',
        "mailto:an.le+ve@example.vn?subject=x",
        "gọi +84901234567 hoặc nhắn",
        '["+84901234567"]',
    ],
)
def test_an_address_is_found_whole_in_any_case(text: str) -> None:
    assert FOUND.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "bran.le+ve@example.vn",  # another's address ending like theirs
        "an.le+ve@example.vn.com",  # another domain beginning like theirs
        "an.le+ve@example.vnn",
        "an.le+ve@example",
        "an.le.ve@example.vn",  # a dot is a dot, not any character
        "+849012345678",  # a longer number
        "84901234567",
        "++84901234567",
    ],
)
def test_another_address_that_contains_or_resembles_theirs_is_not_found(text: str) -> None:
    assert not FOUND.search(text)


def test_no_addresses_find_nothing() -> None:
    assert addresses([], []) is None
    assert addresses([""], [""]) is None
