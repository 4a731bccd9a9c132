"""The notifications service follows the identity service's events, published here on
`identity.events` as its relay would (so that each case says exactly what identity said): challenges reach
the address they name, by email in their language or by SMS; an account becomes a contact once
its email is verified; an erased person leaves nothing of theirs in the notifications database."""

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, receiver_port, token
from tests.e2e.identity_events import account, contact_of, publish
from tests.e2e.receiver import Receiver
from tests.e2e.test_notifications import (
    local,
    mails_to,
    mails_to_now,
    notifications_api,
    send,
    tickets_issued,
)
from tests.e2e.venue_fixtures import request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack
LANGUAGES = pytest.mark.parametrize("language", ["vi", "en"])
MESSAGES = "SELECT id, template, channel, status, created_at FROM notifications"
VERIFY_SUBJECT = {"vi": "Xác nhận địa chỉ email của bạn", "en": "Confirm your email address"}


def challenge(purpose: str, channel: str, address: str, language: str = "vi", **given: Any) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "channel": channel,
        "address": address,
        "language": language,
        "display_name": None,
        "url": None,
        "code": None,
        "expires_at": datetime.now(UTC) + timedelta(minutes=30),
    } | given


@LANGUAGES
def test_a_verify_email_challenge_arrives_with_its_link_in_its_language(
    platform: Stack, language: str
) -> None:
    address = f"verify-{uuid.uuid4().hex[:8]}@example.vn"
    link = f"http://127.0.0.1:{platform.ports.identity}/v1/email-verifications/{uuid.uuid4().hex}"
    data = challenge("verify_email", "email", address, language, display_name="Đỗ Minh Anh", url=link)
    publish(platform, "identity.challenge.issued", f"user-{uuid.uuid4().hex[:8]}", data)
    [mail] = mails_to(platform, address)
    assert mail["subject"] == VERIFY_SUBJECT[language]
    assert link in mail["text"] and local(data["expires_at"].isoformat()) in mail["text"]
    assert ("Xin chào Đỗ Minh Anh," if language == "vi" else "Hello Đỗ Minh Anh,") in mail["text"]


def test_a_sign_in_code_by_sms_reaches_the_gateway_for_a_phone_with_no_contact(
    platform: Stack, receiver: Receiver
) -> None:
    phone, code = f"+849{uuid.uuid4().int % 10**8:08d}", f"{uuid.uuid4().int % 10**6:06d}"
    data = challenge("sign_in_code", "sms", phone, "vi", code=code)
    publish(platform, "identity.challenge.issued", f"user-{uuid.uuid4().hex[:8]}", data)

    def texts() -> list[str]:
        return [p.body["text"] for p in receiver.to("/sms") if p.body["to"] == phone]

    texts.__doc__ = f"an SMS to {phone}"
    [text] = eventually(texts, timeout=60)
    assert text.startswith("Mã đăng nhập của bạn\n")
    assert f"là {code}, có hiệu lực đến {local(data['expires_at'].isoformat())}" in text


def test_a_verified_account_is_a_contact_that_hears_of_its_venue_booking(platform: Stack) -> None:
    user_id = f"user-{uuid.uuid4().hex[:8]}"
    address = f"{user_id}@example.vn"
    publish(platform, "identity.user.registered", user_id, account(user_id, address, verified=False))
    registered = eventually(
        lambda: (shown := contact_of(platform, user_id)).status_code == 200 and shown.json()
    )
    assert registered["email"] is None and registered["language"] == "en"  # not proved yet: not kept
    phone = f"+848{uuid.uuid4().int % 10**8:08d}"
    publish(
        platform, "identity.user.verified", user_id, account(user_id, address, verified=True, phone=phone)
    )
    verified = eventually(lambda: (shown := contact_of(platform, user_id).json())["email"] and shown)
    assert (verified["email"], verified["phone"], verified["opted_out"]) == (address, phone, [])
    place = venue(platform)
    booked = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        headers=token("organiser", user_id),
        json=request_body(place["hall"]["id"], *slot(days=16)) | {"language": "en", "title": "Quan họ"},
        timeout=10,
    )
    assert booked.status_code == 202, booked.text
    assert mails_to(platform, address, subject="Booking request received: Quan họ")


def mentions(engine: sa.Engine, needles: list[str]) -> dict[str, list[str]]:
    """Each needle → the columns of the notifications database holding it somewhere: every column
    of every table read as text whatever the case, bytes as they are."""
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        columns = conn.execute(
            sa.text(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = 'public'"
            )
        ).all()
        for needle in needles:
            for table, column, kind in columns:
                held = (
                    f"position(convert_to(:n, 'UTF8') in \"{column}\") > 0"
                    if kind == "bytea"
                    else f"\"{column}\"::text ILIKE '%' || :n || '%'"
                )
                query = sa.text(f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE {held})')
                if conn.execute(query, {"n": needle}).scalar():
                    found.setdefault(needle, []).append(f"{table}.{column}")
    return found


def test_an_erased_person_leaves_no_email_phone_or_name_in_the_notifications_database(
    platform: Stack, receiver: Receiver
) -> None:
    tag = uuid.uuid4().hex[:8]
    user_id, email, phone = f"user-{tag}", f"erase-{tag}@example.vn", f"+847{uuid.uuid4().int % 10**8:08d}"
    name = f"Phạm Thị Xoá {tag}"
    organiser = token("organiser", user_id)
    publish(
        platform,
        "identity.user.verified",
        user_id,
        account(user_id, email, verified=True, phone=phone, display_name=name),
    )
    eventually(lambda: contact_of(platform, user_id).status_code == 200)
    requests.post(
        notifications_api(platform, "/webhooks"),
        headers=organiser,
        json={"url": f"http://127.0.0.1:{receiver_port()}/hooks/{user_id}"},
        timeout=10,
    ).raise_for_status()
    place = venue(platform)
    requests.post(  # to their contact's email and phone, their webhook and their inbox
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        headers=organiser,
        json=request_body(place["hall"]["id"], *slot(days=17)) | {"title": "Hát văn"},
        timeout=10,
    ).raise_for_status()
    guest = f"Erase-{tag}@Example.vn"  # bought before registering, typed otherwise
    send(platform, tickets_issued(platform, guest))  # the tickets now, a reminder pending till 2027
    link = f"http://127.0.0.1/v1/email-verifications/{tag}"
    for data in (
        challenge("verify_email", "email", email, display_name=name, url=link),
        challenge("sign_in_code", "sms", phone, display_name=name, code="246810"),
        challenge("reset_password", "sms", phone, display_name=name, url=link),  # refused: a dead letter
    ):
        publish(platform, "identity.challenge.issued", user_id, data)
    engine = sa.create_engine(platform.database_url("notifications"))
    theirs = sa.text(f"{MESSAGES} WHERE recipient IN (:u, :g) OR address IN (:e, :p) ORDER BY id")

    def written() -> list[Any] | None:
        """The messages to them all written, those due sent, and the refused challenge dead"""
        with engine.connect() as conn:
            rows = list(conn.execute(theirs, {"u": user_id, "g": f"guest:{guest}", "e": email, "p": phone}))
            dead = conn.execute(
                sa.text(
                    "SELECT count(*) FROM dead_letters WHERE position(convert_to(:p, 'UTF8') in payload) > 0"
                ),
                {"p": phone},
            ).scalar()
        templates = {(r.template, r.channel) for r in rows}
        expected = {
            *(("request_received", c) for c in ("inbox", "email", "sms", "webhook")),
            *(("order_confirmation", c) for c in ("inbox", "email")),
            ("event_reminder", "email"),
            ("verify_email", "email"),
            ("sign_in_code", "sms"),
        }
        settled = all(r.status != "pending" for r in rows if r.template != "event_reminder")
        return rows if expected <= templates and settled and dead else None

    before = eventually(written, timeout=90)
    needles = [email, phone, name]
    assert set(mentions(engine, needles)) == set(needles)  # the control: all three are there to find
    assert "dead_letters.payload" in mentions(engine, [name])[name]

    publish(
        platform, "identity.user.erased", user_id, {"user_id": user_id, "emails": [email], "phones": [phone]}
    )
    eventually(lambda: contact_of(platform, user_id).status_code == 404, timeout=30)
    assert mentions(engine, needles) == {}
    with engine.connect() as conn:
        after = conn.execute(sa.text(f"{MESSAGES} WHERE recipient = :u ORDER BY id"), {"u": user_id}).all()
        hooks = conn.execute(sa.text("SELECT count(*) FROM webhooks WHERE recipient = :u"), {"u": user_id})
        assert hooks.scalar() == 0
    kept = {r.id: (r.template, r.channel, r.created_at) for r in before}
    assert {r.id: (r.template, r.channel, r.created_at) for r in after} == kept  # the counts stay
    statuses = {(r.template, r.channel): r.status for r in after}
    assert (
        statuses[("event_reminder", "email")] == "cancelled" and statuses[("verify_email", "email")] == "sent"
    )

    with engine.begin() as conn:  # the reminder's moment comes: it is not sent all the same
        conn.execute(
            sa.text("UPDATE notifications SET send_after = now() WHERE recipient = :u"), {"u": user_id}
        )
    time.sleep(3)
    with engine.connect() as conn:
        query = (
            "SELECT status, attempts FROM notifications WHERE recipient = :u AND template = 'event_reminder'"
            " AND channel = 'email'"
        )
        assert [tuple(r) for r in conn.execute(sa.text(query), {"u": user_id})] == [("cancelled", 0)]
    assert not any(m["subject"].startswith("Ngày mai") for m in mails_to_now(platform, guest))
    engine.dispose()
