"""The ticketing rules on their own: search folding, seat maps, event and order checks, QR codes."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from booking.domain.ticketing import (
    check_event,
    check_order,
    code_from_qr,
    fold,
    new_code,
    qr_payload,
    seats_of,
)
from booking.domain.venue_booking import RequestRejected

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LAYOUT = {
    "kind": "seated",
    "sections": [
        {"name": "A", "rows": [{"label": "A", "seats": 3, "category": "vip", "accessible": [1]}]},
        {"name": "B", "rows": [{"label": "B", "seats": 2, "category": "standard"}]},
    ],
}
BOOKING = {"status": "confirmed", "starts_at": NOW, "ends_at": NOW + timedelta(hours=5)}


def event(types: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    session = {"start": NOW + timedelta(hours=1), "end": NOW + timedelta(hours=3)}
    sale = {"sale_starts_at": NOW - timedelta(days=1), "sale_ends_at": NOW}
    return {"sessions": [session], "ticket_types": [sale | t for t in types]} | changes


def test_folding_drops_vietnamese_diacritics_and_case() -> None:
    assert fold("Đêm Chèo Đông Dao — Tuồng Ả") == "dem cheo dong dao — tuong a"
    assert fold("cheo") in fold("Nhà hát Chèo Hải Dương")


def test_a_seat_map_expands_to_labelled_seats_with_their_category() -> None:
    seats = seats_of(LAYOUT)
    assert [s.label for s in seats] == ["A A1", "A A2", "A A3", "B B1", "B B2"]
    assert seats[0].accessible and not seats[1].accessible and seats[3].category == "standard"


def test_seated_tickets_sell_the_seats_of_their_category() -> None:
    sold = check_event(
        BOOKING, "seated", 5, LAYOUT, event([{"kind": "seated", "price": 1, "seat_category": "vip"}]), []
    )
    assert [s.label for s in sold["vip"]] == ["A A1", "A A2", "A A3"]


@pytest.mark.parametrize(
    "types, booking, field",
    [
        ([{"kind": "seated", "price": 1, "seat_category": "balcony"}], BOOKING, "ticket_types.0"),
        ([{"kind": "general_admission", "price": 0, "quota": 5}], BOOKING, "ticket_types.0"),
        ([{"kind": "free", "price": 10, "quota": 5}], BOOKING, "ticket_types.0"),
        ([{"kind": "general_admission", "price": 5}], BOOKING, "ticket_types.0"),
        (
            [{"kind": "free", "price": 0, "quota": 5}],
            BOOKING | {"status": "awaiting_payment"},
            "venue_booking_id",
        ),
        (
            [
                {"kind": "seated", "price": 1, "seat_category": "vip"},
                {"kind": "seated", "price": 2, "seat_category": "vip"},
            ],
            BOOKING,
            "ticket_types.1",
        ),
    ],
)
def test_an_event_that_cannot_be_sold_is_refused_with_the_field_at_fault(
    types: list[dict[str, Any]], booking: dict[str, Any], field: str
) -> None:
    with pytest.raises(RequestRejected) as refused:
        check_event(booking, "seated", 5, LAYOUT, event(types), [])
    assert field in refused.value.errors


def test_sessions_lie_within_the_booking_and_quotas_within_the_hall() -> None:
    late = {"start": NOW + timedelta(hours=4), "end": NOW + timedelta(hours=6)}
    with pytest.raises(RequestRejected) as refused:
        check_event(
            BOOKING,
            "general_admission",
            100,
            {},
            event([{"kind": "free", "price": 0, "quota": 101}], sessions=[late]),
            [],
        )
    assert set(refused.value.errors) == {"sessions", "ticket_types"}


def test_a_seated_hall_holds_its_seats_and_quotas_together_and_no_more() -> None:
    """Three vip seats sold by seat and two standing places fill the five-seat hall; one more
    place does not fit."""
    vip = {"kind": "seated", "price": 1, "seat_category": "vip"}
    fits = event([vip, {"kind": "general_admission", "price": 1, "quota": 2}])
    assert [s.label for s in check_event(BOOKING, "seated", 5, LAYOUT, fits, [])["vip"]] == [
        "A A1",
        "A A2",
        "A A3",
    ]
    with pytest.raises(RequestRejected) as refused:
        check_event(BOOKING, "seated", 5, LAYOUT, event([vip, {"kind": "free", "price": 0, "quota": 3}]), [])
    assert set(refused.value.errors) == {"ticket_types"}


def test_two_events_on_one_booking_take_turns() -> None:
    free = [{"kind": "free", "price": 0, "quota": 5}]
    other = [{"start": NOW + timedelta(hours=2), "end": NOW + timedelta(hours=4)}]
    with pytest.raises(RequestRejected) as refused:
        check_event(BOOKING, "general_admission", 100, {}, event(free), [other])  # 1 to 3 and 2 to 4
    assert set(refused.value.errors) == {"sessions"}
    after = {"start": NOW + timedelta(hours=4), "end": NOW + timedelta(hours=5)}
    assert check_event(BOOKING, "general_admission", 100, {}, event(free, sessions=[after]), [other]) == {}


def ticket_type(**changes: Any) -> SimpleNamespace:
    base = {
        "kind": "general_admission",
        "name": {"vi": "Vé", "en": "Ticket"},
        "per_order_limit": 4,
        "sale_starts_at": NOW - timedelta(days=1),
        "sale_ends_at": NOW + timedelta(days=1),
    }
    return SimpleNamespace(**(base | changes))


@pytest.mark.parametrize(
    "items, types, status",
    [
        ([{"ticket_type_id": "t", "quantity": 5}], {"t": ticket_type()}, "published"),
        (
            [{"ticket_type_id": "t", "quantity": 2}, {"ticket_type_id": "t", "quantity": 3}],
            {"t": ticket_type()},
            "published",
        ),
        ([{"ticket_type_id": "x", "quantity": 1}], {"t": ticket_type()}, "published"),
        ([{"ticket_type_id": "t", "quantity": 1}], {"t": ticket_type(sale_ends_at=NOW)}, "published"),
        ([{"ticket_type_id": "t", "quantity": 1}], {"t": ticket_type(kind="seated")}, "published"),
        ([{"ticket_type_id": "t", "quantity": 1}], {"t": ticket_type()}, "draft"),
    ],
)
def test_orders_beyond_limits_windows_or_types_are_refused(
    items: list[dict[str, Any]], types: dict[str, Any], status: str
) -> None:
    with pytest.raises(RequestRejected):
        check_order(SimpleNamespace(status=status), types, items, [], NOW)


def test_an_order_within_its_limits_passes() -> None:
    check_order(
        SimpleNamespace(status="published"),
        {"t": ticket_type()},
        [{"ticket_type_id": "t", "quantity": 4}],
        [],
        NOW,
    )


def test_a_qr_payload_carries_the_code_and_only_our_key_makes_it_genuine() -> None:
    code = new_code()
    assert len(code) >= 22 and code != new_code()
    payload = qr_payload(b"our key", code)
    assert code_from_qr(b"our key", payload) == code
    assert code_from_qr(b"their key", payload) is None
    assert code_from_qr(b"our key", payload.replace(code, new_code())) is None
    assert code_from_qr(b"our key", "XDT1." + code) is None
