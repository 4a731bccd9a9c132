"""One bad message never stops a queue: a message that cannot be rendered, stored or sent fails on
its own, the next ones go out within seconds, and none that went out is sent again."""

import secrets
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import eventually, records
from tests.e2e.test_notifications import mails_to, mails_to_now, send, tickets_issued
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def _address(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:8]}@example.vn"


def test_a_message_that_fails_to_render_store_or_send_fails_alone_and_nothing_goes_out_twice(
    platform: Stack,
) -> None:
    before, broken_title, after = _address("before"), _address("title"), _address("after")
    broken_address = f"header\r\nBcc: {_address('bcc')}"  # refused by the email package itself
    unrenderable, oversized = str(uuid.uuid4()), secrets.token_hex(4000)
    send(
        platform,
        tickets_issued(platform, before),
        # a title that reached no API: a vertical tab, a carriage return and a line separator
        tickets_issued(platform, broken_title, title={"vi": "Múa\x0brối\rnước\u2028Xứ Đông", "en": "x"}),
        tickets_issued(platform, broken_address),
        tickets_issued(platform, _address("render"), order_id=unrenderable, venue_name=None),
        # its id is beyond what an index row holds: PostgreSQL's program limit, every time
        tickets_issued(platform, _address("oversized"), order_id=oversized),
        tickets_issued(platform, after),
    )
    for address in (before, after):  # eight senders at once: the order they arrive in is not promised
        mails_to(platform, address)
    cleaned = mails_to(platform, broken_title, timeout=20)
    assert [m["subject"] for m in cleaned] == ["Vé của bạn: Múa rối nước Xứ Đông"]

    engine = sa.create_engine(platform.database_url("notifications"))

    def retried() -> Any:
        """the email to the broken address failed twice, on its own"""
        with engine.connect() as conn:
            query = (
                "SELECT status, attempts, last_error FROM notifications"
                " WHERE address = :a AND template = 'order_confirmation'"
            )
            row = conn.execute(sa.text(query), {"a": broken_address}).first()
        return row if row is not None and row.attempts >= 2 else None

    failing = eventually(retried, timeout=30)
    engine.dispose()
    assert failing.status == "pending" and failing.last_error.startswith("ValueError: Header values")
    for address in (before, broken_title, after):  # several rounds went by: none sent again
        assert len(mails_to_now(platform, address)) == 1, address

    def dead_letter(m: Any) -> bool:
        """the notifications group's dead letters of the two bad messages"""
        mine = any(order.encode() in (m.value or b"") for order in (unrenderable, oversized))
        return mine and dict(m.headers).get("consumer") == b"notifications"

    letters = records(platform, "booking.events.dlq", dead_letter, wanted=2)
    dead = {
        order: dict(m.headers)["error"].decode()
        for m in letters
        for order in (unrenderable, oversized)
        if order.encode() in (m.value or b"")
    }
    assert dead[unrenderable].startswith("UndefinedError"), dead
    assert "ProgramLimitExceeded" in dead[oversized], dead
    assert "SQL parameters hidden" in dead[oversized]  # what the message held stays out of the DLQ
