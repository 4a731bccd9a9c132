"""Notifications driven only by Kafka events, read back from MailDev's REST API: each person is told
once, in their language, and what the SMTP server missed goes out when it returns."""

import hashlib
import hmac
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from kafka import KafkaProducer

from conftest import eventually, receiver_port, records, token
from eventbus.envelope import new_event
from eventbus.fields import LOCAL
from eventbus.settings import Settings
from notifications.bootstrap import bootstrap
from notifications.handlers import send_digests
from notifications.sender import ATTEMPTS, LEASE, backoff
from notifications.unit_of_work import NotificationsUnitOfWork
from tests.e2e.identity_events import give_contact
from tests.e2e.receiver import Receiver
from tests.e2e.test_venue_payments import VISA, pay_with, start_payment
from tests.e2e.ticket_fixtures import free, ga, on_sale, order, order_status, pay
from tests.e2e.venue_fixtures import booking_status, request_body, slot, venue
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def mails_to(
    stack: Stack, address: str, wanted: int = 1, timeout: float = 60, subject: str = ""
) -> list[dict[str, Any]]:
    """The emails MailDev received for one address (those whose subject starts with `subject`),
    once there are at least `wanted`."""

    def received() -> list[dict[str, Any]] | None:
        try:
            mine = [m for m in mails_to_now(stack, address) if m["subject"].startswith(subject)]
        except requests.ConnectionError:
            return None  # MailDev is starting again
        return mine if len(mine) >= wanted else None

    received.__doc__ = f"{wanted} emails to {address} in MailDev ({subject or 'any subject'})"
    return eventually(received, timeout=timeout)


def mails_to_now(stack: Stack, address: str) -> list[dict[str, Any]]:
    """The emails MailDev holds for one address, as it is now (a file its own stop cut short has
    no headers: nobody's)."""
    mails = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=10).json()
    return [m for m in mails if any(t["address"] == address for t in m.get("to", []))]


# What each message is called in each language: the table of the issue, row by row.
SUBJECTS = {
    "request_received": ("Đã nhận yêu cầu đặt chỗ: {title}", "Booking request received: {title}"),
    "request_held": ("Địa điểm đang giữ chỗ: {title}", "The venue holds your slot: {title}"),
    "request_conflicted": ("Khung giờ đã có người đặt: {title}", "The slot is taken: {title}"),
    "request_approved": ("Yêu cầu đã được duyệt: {title}", "Request approved: {title}"),
    "request_rejected": ("Yêu cầu bị từ chối: {title}", "Request rejected: {title}"),
    "payment_due": ("Vui lòng thanh toán {amount}: {title}", "Please pay {amount}: {title}"),
    "payment_reminder": ("Nhắc thanh toán: {title}", "Payment reminder: {title}"),
    "booking_confirmed": ("Đã xác nhận: {title}", "Confirmed: {title}"),
    "booking_expired": ("Đặt chỗ đã hết hạn: {title}", "Booking expired: {title}"),
    "booking_cancelled": ("Đã hủy đặt chỗ: {title}", "Booking cancelled: {title}"),
    "booking_refunded": ("Hoàn tiền {amount}: {title}", "Refund of {amount}: {title}"),
    "review_requested": ("Có yêu cầu mới cần duyệt", "A new request to review"),
    "schedule_released": ("Một khung giờ trên lịch đã được trả lại", "A slot on your schedule is free again"),
    "hold_expiring": (
        "Vé của bạn sắp hết thời gian giữ: {title}",
        "Your tickets are held only a little longer: {title}",
    ),
    "event_reminder": ("Ngày mai: {title}", "Tomorrow: {title}"),
    "waitlist_offer": ("Đã có vé cho bạn: {title}", "Tickets are free for you: {title}"),
    "order_cancelled": ("Đơn hàng đã hủy: {title}", "Order cancelled: {title}"),
    "event_changed": ("Sự kiện có thay đổi: {title}", "Event changed: {title}"),
    "review_digest": ("2 yêu cầu đang chờ bạn duyệt ({day})", "2 requests wait for your review ({day})"),
}
EVENT_TITLE = {"vi": "Đêm Chèo Xứ Đông", "en": "A night of Chèo"}  # as ticket_fixtures names it
LANGUAGES = pytest.mark.parametrize("language", ["vi", "en"])


def subject(template: str, language: str, **values: str) -> str:
    return SUBJECTS[template][language == "en"].format(**values)


def told(stack: Stack, address: str, template: str, language: str, **values: str) -> dict[str, Any]:
    """The one email of that message to that address, once it has come."""
    wanted = subject(template, language, **values)
    try:
        return mails_to(stack, address, subject=wanted)[0]
    except pytest.fail.Exception:
        received = [m["subject"] for m in mails_to_now(stack, address)]
        pytest.fail(f"no {wanted!r} to {address}; it received {received}")


def notifications_api(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.ports.notifications}/v1{path}"


def test_a_buyer_gets_the_tickets_by_email_in_their_language(platform: Stack) -> None:
    event = on_sale(platform, [ga(10, price=90_000), free(10)])
    english = f"en-{uuid.uuid4().hex[:8]}@example.vn"
    held = order(
        platform,
        event["id"],
        email=english,
        language="en",
        items=[{"ticket_type_id": event["types"][0], "quantity": 2}],
    )
    pay(platform, held.json())
    codes = [t["code"] for t in order_status(platform, held.json(), "paid")["tickets"]]
    vietnamese = f"vi-{uuid.uuid4().hex[:8]}@example.vn"
    registered = order(
        platform, event["id"], email=vietnamese, items=[{"ticket_type_id": event["types"][1], "quantity": 1}]
    )
    mail = mails_to(platform, english, subject="Your tickets")[0]
    assert mail["subject"] == "Your tickets: A night of Chèo" and "180.000 ₫" in mail["text"]
    assert all(code in mail["text"] for code in codes) and "/qr.svg" in mail["text"]
    mail = mails_to(platform, vietnamese, subject="Vé của bạn")[0]
    assert mail["subject"] == "Vé của bạn: Đêm Chèo Xứ Đông"
    assert registered.json()["tickets"][0]["code"] in mail["text"]


def test_an_organiser_is_told_each_step_of_a_venue_booking_and_finds_it_in_the_inbox(platform: Stack) -> None:
    place = venue(platform)
    sub = f"org-note-{uuid.uuid4().hex[:6]}"
    organiser, address = token("organiser", sub), f"{sub}@example.vn"
    give_contact(platform, sub, address, language="en")
    booking = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        headers=organiser,
        json=request_body(place["hall"]["id"], *slot(days=12)) | {"language": "en", "title": "Lantern night"},
        timeout=10,
    ).json()
    booking_status(platform, booking["id"], organiser, "held")
    subjects = [m["subject"] for m in mails_to(platform, address, 2)]
    assert set(subjects) == {
        "Booking request received: Lantern night",
        "The venue holds your slot: Lantern night",
    }
    inbox = requests.get(notifications_api(platform, "/notifications"), headers=organiser, timeout=10).json()[
        "items"
    ]
    assert set(subjects) <= {n["subject"] for n in inbox}
    # newest first; which of the two is newer is the order the worker read two topics in
    times = [datetime.fromisoformat(n["created_at"]) for n in inbox]
    assert times == sorted(times, reverse=True)
    read = requests.post(
        notifications_api(platform, f"/notifications/{inbox[0]['id']}/read"),
        headers=organiser,
        json={},
        timeout=10,
    )
    assert read.status_code == 200 and read.json()["read_at"]
    stranger = token("organiser", "someone-else")
    other = requests.post(
        notifications_api(platform, f"/notifications/{inbox[0]['id']}/read"),
        headers=stranger,
        json={},
        timeout=10,
    )
    assert other.status_code == 404
    inbox_url = notifications_api(platform, "/notifications")
    page = requests.get(inbox_url, headers=organiser, params={"limit": 1}, timeout=10).json()
    assert [n["id"] for n in page["items"]] == [inbox[0]["id"]] and page["next_cursor"] == "1"
    after = requests.get(inbox_url, headers=organiser, params={"limit": "1", "cursor": "1"}, timeout=10)
    assert [n["id"] for n in after.json()["items"]] == [inbox[1]["id"]]
    mine_only = requests.get(inbox_url, headers=stranger, params={"recipient": sub}, timeout=10).json()
    assert all(n["recipient"] == "someone-else" for n in mine_only["items"])  # not another's
    staff = requests.get(inbox_url, headers=token("staff", "staff-1"), params={"recipient": sub}, timeout=10)
    assert [n["id"] for n in staff.json()["items"]] == [n["id"] for n in inbox]


def tickets_issued(stack: Stack, email: str, **changed: Any) -> bytes:
    """A `booking.tickets.issued` event as the booking service would publish it (with the data
    fields `changed` as given)."""
    event = new_event(
        "booking",
        "booking.tickets.issued",
        str(uuid.uuid4()),
        {
            "event_id": str(uuid.uuid4()),
            "organiser_id": "org",
            "title": {"vi": "Múa rối nước", "en": "Water puppets"},
            "category": "theatre",
            "venue_id": str(uuid.uuid4()),
            "venue_name": {"vi": "Nhà hát", "en": "Theatre"},
            "area_id": str(uuid.uuid4()),
            "sessions": [{"start": "2027-03-01T12:00:00+00:00", "end": "2027-03-01T14:00:00+00:00"}],
            "order_id": str(uuid.uuid4()),
            "status": "paid",
            "buyer_id": None,
            "email": email,
            "language": "vi",
            "items": [],
            "seats": [],
            "total": 50_000,
            "currency": "VND",
            "expires_at": "2027-01-01T00:00:00+00:00",
            "refund": 0,
            "reason": None,
            "order_url": "http://127.0.0.1/v1/orders/x",
            "tickets": [{"code": "CODE1", "ticket_type_id": "t", "seat": None, "url": "u", "qr_url": "q"}],
        }
        | changed,
    )
    return event.to_bytes()


def send(stack: Stack, *values: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    for value in values:
        producer.send("booking.events", value=value, key=b"test").get(timeout=10)
    producer.close()


def test_the_same_event_delivered_three_times_sends_one_email(platform: Stack) -> None:
    address = f"thrice-{uuid.uuid4().hex[:8]}@example.vn"
    event = tickets_issued(platform, address)
    send(platform, event, event, event)
    assert len(mails_to(platform, address)) == 1
    time.sleep(3)  # room for a second one to arrive, were it sent
    assert len(mails_to(platform, address)) == 1


def test_while_the_smtp_server_is_down_nothing_is_lost_and_nothing_doubled(platform: Stack) -> None:
    address = f"down-{uuid.uuid4().hex[:8]}@example.vn"
    engine = sa.create_engine(platform.database_url("notifications"))

    def delivery() -> Any:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT status, attempts FROM notifications WHERE address = :a AND template = :t"),
                {"a": address, "t": "order_confirmation"},
            ).first()

    try:
        platform.maildev_process().stop()
        try:
            send(platform, tickets_issued(platform, address))
            eventually(lambda: (row := delivery()) is not None and row.attempts >= 2, timeout=60)
        finally:
            platform.maildev_process().start()
        assert len(mails_to(platform, address, timeout=120)) == 1
        # A second copy would come once the round's lease ran out (its outcome lost) or at the next
        # retry (the send taken for a failure): both are past before it is counted.
        time.sleep(max(LEASE, backoff(delivery().attempts)).total_seconds() + 3)
        assert len(mails_to_now(platform, address)) == 1
        assert delivery().status == "sent"
    finally:
        engine.dispose()


def test_a_malformed_event_goes_to_the_dlq_and_the_next_ones_still_go_out(platform: Stack) -> None:
    marker = uuid.uuid4().hex.encode()
    address = f"after-{uuid.uuid4().hex[:8]}@example.vn"
    send(platform, b"not json " + marker, tickets_issued(platform, address))
    assert len(mails_to(platform, address)) == 1
    dead = records(
        platform,
        "booking.events.dlq",
        lambda m: marker in (m.value or b"") and dict(m.headers).get("consumer") == b"notifications",
    )
    assert all(b"envelope" in dict(m.headers)["error"] for m in dead), dead


def test_sms_zalo_and_a_signed_webhook_reach_their_receivers_and_opting_out_is_honoured(
    platform: Stack, receiver: Receiver
) -> None:
    place = venue(platform)
    sub = f"org-chan-{uuid.uuid4().hex[:6]}"
    organiser, phone = token("organiser", sub), f"+849{uuid.uuid4().int % 10**8:08d}"
    give_contact(platform, sub, f"{sub}@example.vn", phone=phone, zalo_id=sub, opted_out=["email"])
    hook = requests.post(
        notifications_api(platform, "/webhooks"),
        headers=organiser,
        json={"url": f"http://127.0.0.1:{receiver_port()}/hooks/{sub}"},
        timeout=10,
    ).json()
    booking = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        headers=organiser,
        json=request_body(place["hall"]["id"], *slot(days=13)) | {"title": "Hội làng"},
        timeout=10,
    ).json()

    def delivered() -> bool:
        sms = [p for p in receiver.to("/sms") if p.body["to"] == phone]
        zalo = [p for p in receiver.to("/zalo") if p.body["to"] == sub]
        hooks = receiver.to(f"/hooks/{sub}")
        return len(sms) >= 2 and len(zalo) >= 2 and len(hooks) >= 2

    eventually(delivered, timeout=60)
    sms = [p.body["text"] for p in receiver.to("/sms") if p.body["to"] == phone]
    assert any(text.startswith("Đã nhận yêu cầu đặt chỗ: Hội làng") for text in sms)
    post = receiver.to(f"/hooks/{sub}")[0]
    at, mac = (part.split("=", 1)[1] for part in post.headers["X-Xudong-Signature"].split(","))
    expected = hmac.new(hook["secret"].encode(), f"{at}.".encode() + post.raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, expected) and post.body["data"]["venue_booking_id"] == booking["id"]
    assert mails_to_now(platform, f"{sub}@example.vn") == []  # opted out of email for news that can wait


@LANGUAGES
def test_an_organiser_is_told_of_approval_payment_confirmation_with_the_calendar_entry_and_cancellation(
    platform: Stack, language: str
) -> None:
    place = venue(platform)
    sub = f"org-{language}-{uuid.uuid4().hex[:6]}"
    organiser, address = token("organiser", sub), f"{sub}@example.vn"
    give_contact(platform, sub, address)
    manager_address = f"{uuid.uuid4().hex[:6]}-manager@example.vn"
    give_contact(platform, place["manager_id"], manager_address, language=language, role="venue_manager")
    booking, entry = awaiting_payment_for(platform, place, organiser, language)
    title = "Đêm Chèo"
    told(platform, manager_address, "review_requested", language)
    for step in ("request_received", "request_held", "request_approved"):
        told(platform, address, step, language, title=title)
    due = told(platform, address, "payment_due", language, title=title, amount="1.000.000 ₫")
    assert ("trước" if language == "vi" else "before") in due["text"]
    intent = start_payment(platform, booking, organiser)
    pay_with(platform, intent["payment_intent_id"], VISA)
    confirmed = told(platform, address, "booking_confirmed", language, title=title)
    assert [a["contentType"].split(";")[0] for a in confirmed.get("attachments", [])] == ["text/calendar"]
    requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings/{booking['id']}/cancel",
        headers=organiser,
        json={},
        timeout=30,
    ).raise_for_status()
    cancelled = told(platform, address, "booking_cancelled", language, title=title)
    assert "1.000.000 ₫" in cancelled["text"]  # 14 days' notice: all of it back
    told(platform, manager_address, "schedule_released", language)
    assert entry["venue_booking_id"] == booking["id"]


@LANGUAGES
def test_a_buyer_hears_of_a_cancelled_event_and_its_refund_and_the_reminder_is_called_off(
    platform: Stack, language: str
) -> None:
    event = on_sale(platform, [ga(10, price=60_000)])
    address = f"refund-{uuid.uuid4().hex[:8]}@example.vn"
    one = [{"ticket_type_id": event["types"][0], "quantity": 1}]
    held = order(platform, event["id"], email=address, language=language, items=one)
    pay(platform, held.json())
    order_status(platform, held.json(), "paid")
    engine = sa.create_engine(platform.database_url("notifications"))

    def reminder() -> str | None:
        with engine.connect() as conn:
            return conn.execute(
                sa.text(
                    "SELECT status FROM notifications WHERE address = :a AND template = 'event_reminder'"
                ),
                {"a": address},
            ).scalar()

    assert eventually(reminder, timeout=30) == "pending"  # stored for 24 hours before the show
    requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/events/{event['id']}/cancel",
        headers=event["organiser"],
        json={"reason": "mưa bão"},
        timeout=30,
    ).raise_for_status()
    cancelled = told(platform, address, "order_cancelled", language, title=EVENT_TITLE[language])
    assert "60.000 ₫" in cancelled["text"] and "mưa bão" in cancelled["text"]
    assert eventually(lambda: reminder() == "cancelled", timeout=30)
    engine.dispose()


def awaiting_payment_for(
    stack: Stack, place: dict[str, Any], organiser: dict[str, str], language: str = "vi"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A booking of two hours (1.000.000 ₫ at the test rate) approved by the manager."""
    booking = requests.post(
        f"http://127.0.0.1:{stack.ports.booking}/v1/venue-bookings",
        headers=organiser,
        json=request_body(place["hall"]["id"], *slot(days=14)) | {"language": language},
        timeout=10,
    ).json()
    booking_status(stack, booking["id"], organiser, "held")
    venues = f"http://127.0.0.1:{stack.ports.venues}/v1"
    queue = requests.get(f"{venues}/review-queue", headers=place["manager"], timeout=10).json()["items"]
    entry = next(e for e in queue if e["venue_booking_id"] == booking["id"])
    requests.post(
        f"{venues}/schedule-entries/{entry['id']}/approve", json={}, headers=place["manager"], timeout=10
    ).raise_for_status()
    booking_status(stack, booking["id"], organiser, "awaiting_payment")
    return booking, entry


@LANGUAGES
def test_conflicted_rejected_expired_and_late_paid_requests_are_explained(
    platform: Stack, language: str
) -> None:
    place = venue(platform)
    sub = f"org-{language}-{uuid.uuid4().hex[:6]}"
    organiser, address = token("organiser", sub), f"{sub}@example.vn"
    give_contact(platform, sub, address)
    booking = f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings"
    hours = slot(days=16)
    title = {"vi": "Múa rối nước", "en": "Puppet show"}[language]
    asked = {"language": language, "title": title}
    first = requests.post(
        booking, headers=organiser, json=request_body(place["hall"]["id"], *hours) | asked, timeout=10
    )
    booking_status(platform, first.json()["id"], organiser, "held")
    second = requests.post(
        booking, headers=organiser, json=request_body(place["hall"]["id"], *hours) | asked, timeout=10
    )
    booking_status(platform, second.json()["id"], organiser, "conflicted")
    venues = f"http://127.0.0.1:{platform.ports.venues}/v1"
    queue = requests.get(f"{venues}/review-queue", headers=place["manager"], timeout=10).json()["items"]
    entry = next(e for e in queue if e["venue_booking_id"] == first.json()["id"])
    requests.post(
        f"{venues}/schedule-entries/{entry['id']}/reject",
        json={"reason": "the hall is being repainted"},
        headers=place["manager"],
        timeout=10,
    ).raise_for_status()
    conflicted = told(platform, address, "request_conflicted", language, title=title)
    assert local(hours[0]) in conflicted["text"]  # which occurrence clashed
    assert (
        "the hall is being repainted"
        in told(platform, address, "request_rejected", language, title=title)["text"]
    )
    late, _ = awaiting_payment_for(platform, place, organiser, language)  # the test platform waits 25 s
    intent = start_payment(platform, late, organiser)
    told(platform, address, "booking_expired", language, title="Đêm Chèo")
    pay_with(platform, intent["payment_intent_id"], VISA)  # too late: all of it goes back
    told(platform, address, "booking_refunded", language, title="Đêm Chèo", amount="1.000.000 ₫")


def local(moment: str) -> str:
    """A moment as the messages show it: in Hải Dương's time."""
    return datetime.fromisoformat(moment).astimezone(LOCAL).strftime("%H:%M %d/%m/%Y")


@LANGUAGES
def test_a_waiting_list_offer_is_sent_with_its_link(platform: Stack, language: str) -> None:
    event = on_sale(platform, [ga(1, price=40_000)])
    first = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}]).json()
    address = f"wait-{uuid.uuid4().hex[:8]}@example.vn"
    joined = requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/events/{event['id']}/waiting-list",
        json={"ticket_type_id": event["types"][0], "email": address, "quantity": 1, "language": language},
        timeout=10,
    )
    assert joined.status_code == 201, joined.text
    requests.post(
        f"http://127.0.0.1:{platform.ports.booking}/v1/orders/{first['id']}/cancel",
        headers={"X-Order-Token": first["token"]},
        json={},
        timeout=30,
    ).raise_for_status()
    offer = told(platform, address, "waitlist_offer", language, title=EVENT_TITLE[language])
    assert "40.000 ₫" in offer["text"] and "?token=" in offer["text"]


def come_due(stack: Stack, about: str, template: str) -> None:
    """The clock moves on for one stored reminder (once it is stored): its moment is now."""
    engine = sa.create_engine(stack.database_url("notifications"))

    def moved() -> bool:
        with engine.begin() as conn:
            return bool(
                conn.execute(
                    sa.text(
                        "UPDATE notifications SET send_after = now() WHERE about = :a AND template = :t"
                        " AND status IN ('pending', 'inbox')"
                    ),
                    {"a": about, "t": template},
                ).rowcount
            )

    moved.__doc__ = f"{template} about {about} stored"
    eventually(moved, timeout=30)
    engine.dispose()


@LANGUAGES
def test_stored_reminders_go_out_when_their_moment_comes(platform: Stack, language: str) -> None:
    event = on_sale(platform, [ga(10, price=70_000)])
    address = f"remind-{uuid.uuid4().hex[:8]}@example.vn"
    one = [{"ticket_type_id": event["types"][0], "quantity": 1}]
    kept = order(platform, event["id"], email=address, language=language, items=one).json()
    paid = order(platform, event["id"], email=address, language=language, items=one).json()
    pay(platform, paid)
    order_status(platform, paid, "paid")
    come_due(platform, kept["id"], "hold_expiring")  # 3 minutes before the hold runs out
    come_due(platform, paid["id"], "event_reminder")  # 24 hours before the show
    told(platform, address, "hold_expiring", language, title=EVENT_TITLE[language])
    told(platform, address, "event_reminder", language, title=EVENT_TITLE[language])
    place = venue(platform)
    sub = f"org-due-{uuid.uuid4().hex[:6]}"
    organiser, organiser_address = token("organiser", sub), f"{sub}@example.vn"
    give_contact(platform, sub, organiser_address)
    booking, _ = awaiting_payment_for(platform, place, organiser, language)
    come_due(platform, booking["id"], "payment_reminder")  # halfway to the test platform's deadline
    reminded = told(platform, organiser_address, "payment_reminder", language, title="Đêm Chèo")
    assert "1.000.000 ₫" in reminded["text"]
    # The tickets travel as their own event and may arrive after the reminders: wait for all three.
    subjects = [m["subject"] for m in mails_to(platform, address, wanted=3)]
    assert len(subjects) == len(set(subjects)) == 3  # the tickets and each reminder, once


@LANGUAGES
def test_a_manager_gets_a_daily_digest_of_what_still_waits_oldest_first(
    platform: Stack, language: str
) -> None:
    place = venue(platform)
    manager, address = place["manager_id"], f"{uuid.uuid4().hex[:6]}-digest@example.vn"
    give_contact(platform, manager, address, language=language, role="venue_manager")
    organiser = token("organiser", f"org-digest-{uuid.uuid4().hex[:6]}")
    asked = []
    for days in (22, 20, 21):  # asked in this order: the 22-day one waits longest
        booking = requests.post(
            f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
            headers=organiser,
            json=request_body(place["hall"]["id"], *slot(days=days)),
            timeout=10,
        ).json()
        asked.append(booking_status(platform, booking["id"], organiser, "held"))
    venues = f"http://127.0.0.1:{platform.ports.venues}/v1"
    queue = requests.get(f"{venues}/review-queue", headers=place["manager"], timeout=10).json()["items"]
    entry = next(e for e in queue if e["venue_booking_id"] == asked[1]["id"])
    requests.post(
        f"{venues}/schedule-entries/{entry['id']}/approve", json={}, headers=place["manager"], timeout=10
    ).raise_for_status()
    engine = sa.create_engine(platform.database_url("notifications"))

    def waiting() -> set[str]:
        with engine.connect() as conn:
            ids = [b["id"] for b in asked]
            query = "SELECT venue_booking_id FROM waiting_reviews WHERE venue_booking_id = ANY(:ids)"
            return set(conn.execute(sa.text(query), {"ids": ids}).scalars())

    eventually(lambda: waiting() == {asked[0]["id"], asked[2]["id"]}, timeout=30)
    runtime = bootstrap(
        Settings(
            "notifications",
            platform.database_url("notifications"),
            platform.kafka_bootstrap,
        )
    )
    tomorrow = (datetime.now(LOCAL) + timedelta(days=1)).replace(hour=7, minute=1)
    for minute in range(3):  # as the worker does, every minute
        send_digests(NotificationsUnitOfWork(runtime), tomorrow + timedelta(minutes=minute))
    runtime.engine.dispose()
    day = tomorrow.strftime("%d/%m/%Y")
    mails_to(platform, address, subject=subject("review_digest", language, day=day))
    digest = [m for m in mails_to_now(platform, address) if m["subject"].endswith(f"({day})")]
    assert [m["subject"] for m in digest] == [subject("review_digest", language, day=day)], [
        m["subject"] for m in mails_to_now(platform, address)
    ]
    local = [datetime.fromisoformat(b["start"]).astimezone(LOCAL).strftime("%H:%M %d/%m/%Y") for b in asked]
    text = digest[0]["text"]
    assert local[1] not in text and text.index(local[0]) < text.index(local[2])  # oldest first
    with engine.connect() as conn:
        written = conn.execute(
            sa.text(
                "SELECT channel FROM notifications WHERE recipient = :m AND template = 'review_digest'"
                " AND source -> 'data' ->> 'day' = :d"
            ),
            {"m": manager, "d": tomorrow.date().isoformat()},
        ).scalars()
        assert sorted(written) == ["email", "inbox"]
    engine.dispose()


@LANGUAGES
def test_a_buyer_hears_that_the_event_changed_and_the_reminder_follows_the_new_time(
    platform: Stack, language: str
) -> None:
    event = on_sale(platform, [ga(10, price=50_000)])
    address = f"moved-{uuid.uuid4().hex[:8]}@example.vn"
    one = [{"ticket_type_id": event["types"][0], "quantity": 1}]
    paid = order(platform, event["id"], email=address, language=language, items=one).json()
    pay(platform, paid)
    order_status(platform, paid, "paid")
    url = f"http://127.0.0.1:{platform.ports.booking}/v1/events/{event['id']}"
    first = event["shown"]["sessions"][0]
    start, end = (datetime.fromisoformat(first[k]) + timedelta(hours=2) for k in ("start", "end"))
    moved = {"sessions": [{"start": start.isoformat(), "end": end.isoformat()}], "reason": "đổi giờ diễn"}
    refusals = [
        ({}, event["organiser"], 422),  # nothing named to change
        (
            moved | {"sessions": [{"start": end.isoformat(), "end": (end + timedelta(hours=9)).isoformat()}]},
            event["organiser"],
            422,
        ),
        (moved, token("organiser", "someone-else"), 404),
    ]
    for body, who, status in refusals:
        refused = requests.patch(url, headers=who, json=body, timeout=10)
        assert (refused.status_code, refused.headers["Content-Type"]) == (
            status,
            "application/problem+json",
        ), refused.text
    assert requests.get(url, timeout=10).json()["sessions"] == [first]  # nothing changed by a refusal
    changed = requests.patch(url, headers=event["organiser"], json=moved, timeout=30)
    assert changed.status_code == 200, changed.text
    shown = changed.json()
    assert shown["sessions"][0]["start"] == start.isoformat()
    assert [t["sale_ends_at"] for t in shown["ticket_types"]] == [start.isoformat()]  # sales follow the show
    told_of = told(platform, address, "event_changed", language, title=EVENT_TITLE[language])
    assert local(start.isoformat()) in told_of["text"] and "đổi giờ diễn" in told_of["text"]
    engine = sa.create_engine(platform.database_url("notifications"))

    def reminders() -> list[tuple[str, datetime]] | None:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT status, send_after FROM notifications WHERE about = :o"
                    " AND template = 'event_reminder' AND channel = 'email' ORDER BY send_after"
                ),
                {"o": paid["id"]},
            ).all()
        return [(r.status, r.send_after) for r in rows] if len(rows) == 2 else None

    (old_status, old_at), (new_status, new_at) = eventually(reminders, timeout=30)
    assert (old_status, new_status) == ("cancelled", "pending")
    assert new_at == start - timedelta(hours=24) and new_at - old_at == timedelta(hours=2)

    again = requests.patch(url, headers=event["organiser"], json=moved, timeout=30)
    assert again.json() == shown  # already so: nothing changes, nobody is told twice
    reworded = {"description": {"en": "New words"}, "reason": "sửa lời giới thiệu"}
    kept = requests.patch(url, headers=event["organiser"], json=reworded, timeout=30).json()["description"]
    assert kept == {"vi": "Vở Quan Âm Thị Kính", "en": "New words"}  # the language not sent is kept

    def reasons() -> list[bool] | None:
        """Whether each of the buyer's 'event changed' emails gives the rewording's reason, once the
        rewording's has been written."""
        with engine.connect() as conn:
            bodies = conn.execute(
                sa.text(
                    "SELECT body FROM notifications WHERE about = :o AND template = 'event_changed'"
                    " AND channel = 'email' ORDER BY created_at"
                ),
                {"o": paid["id"]},
            ).scalars()
            said = ["sửa lời" in b for b in bodies]
        return said if said and said[-1] else None

    assert eventually(reasons, timeout=30) == [False, True]  # the repeat wrote nothing between them
    engine.dispose()


def test_a_dead_channel_holds_up_no_other_and_its_last_failure_goes_to_the_dlq(
    platform: Stack, receiver: Receiver
) -> None:
    place = venue(platform)
    sub = f"org-dead-{uuid.uuid4().hex[:6]}"
    organiser, phone = token("organiser", sub), f"+848{uuid.uuid4().int % 10**8:08d}"
    give_contact(platform, sub, f"{sub}@example.vn", phone=phone)
    engine = sa.create_engine(platform.database_url("notifications"))

    def sms() -> Any:
        with engine.connect() as conn:
            query = "SELECT * FROM notifications WHERE address = :p AND template = 'request_received'"
            return conn.execute(sa.text(query), {"p": phone}).first()

    receiver.failing = True  # the SMS gateway answers 503 to everything
    try:
        booking = requests.post(
            f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
            headers=organiser,
            json=request_body(place["hall"]["id"], *slot(days=15)),
            timeout=10,
        ).json()
        told(platform, f"{sub}@example.vn", "request_received", "vi", title="Đêm Chèo")  # email goes on
        tried = eventually(lambda: _tried(sms()))
        assert "503" in tried.last_error
        with engine.begin() as conn:  # the clock moves on to the last attempt
            conn.execute(
                sa.text("UPDATE notifications SET attempts = :n, send_after = now() WHERE id = :i"),
                {"n": ATTEMPTS - 1, "i": tried.id},
            )
        failed = eventually(lambda: _failed(sms()), timeout=30)
    finally:
        receiver.failing = False
    engine.dispose()
    assert failed.attempts == ATTEMPTS and "503" in failed.last_error
    dead = records(
        platform, "booking.events.dlq", lambda m: str(failed.event_id).encode() in (m.value or b"")
    )
    assert [dict(m.headers)["error"].decode() for m in dead] == [
        f"sms delivery failed {ATTEMPTS} times: {failed.last_error}"
    ]
    assert booking["id"] == failed.about


def _tried(row: Any) -> Any:
    return row if row is not None and row.attempts >= 1 else None


def _failed(row: Any) -> Any:
    return row if row.status == "failed" else None
