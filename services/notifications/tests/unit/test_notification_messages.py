"""Who hears of what and when, on their own: the digest hour, amounts in VND, the digest's text."""

from datetime import UTC, datetime, timedelta

from notifications.domain.messages import digest_moment, vnd
from notifications.render import render


def test_the_digest_is_due_at_seven_in_the_morning_in_hai_duong_and_not_caught_up_later() -> None:
    at_seven = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)  # 07:00 on the 27th in Hải Dương
    before = at_seven - timedelta(minutes=1)
    late_morning = at_seven + timedelta(hours=4, minutes=59)
    afternoon = at_seven + timedelta(hours=5)  # noon: a worker back from an outage waits for tomorrow
    assert [digest_moment(t) for t in (before, at_seven, late_morning, afternoon)] == [
        None,
        at_seven,
        at_seven,
        None,
    ]


def test_amounts_are_written_as_vnd() -> None:
    assert (vnd(150_000), vnd(0), vnd(1_000_000)) == ("150.000 ₫", "0 ₫", "1.000.000 ₫")


def test_the_digest_lists_what_waits_in_local_time_in_both_languages() -> None:
    waiting = [
        {
            "start": "2026-12-01T02:00:00+00:00",
            "end": "2026-12-01T04:00:00+00:00",
            "since": "2026-11-20T01:00:00+00:00",
        }
    ]
    data = {"day": "2026-11-27", "waiting": waiting}
    subject, body = render("review_digest", "en", data)
    assert subject == "1 request waits for your review (27/11/2026)"
    assert "09:00 01/12/2026 – 11:00 01/12/2026 (waiting since 08:00 20/11/2026)" in body
    subject, body = render("review_digest", "vi", data)
    assert subject == "1 yêu cầu đang chờ bạn duyệt (27/11/2026)" and "chờ từ 08:00 20/11/2026" in body
