"""From a booking state change committed to the email accepted by the SMTP sink, at 100 events/s.

Each change is a `booking.tickets.issued` event written to the booking service's outbox in its own
transaction (the way the booking service commits a paid order), for a new buyer address each time;
the relay, Kafka, the notifications worker (render, record once, send) and MailDev run as in
`make up`. The latency of one change is MailDev's receipt time of its email minus the moment its
transaction began (it commits a few milliseconds later), both from this machine's clock. ROUNDS
rounds of RATE × SECONDS changes; medians of the rounds' p50 and p99 are reported, next to the
same rounds of emails sent straight to MailDev over one SMTP connection (what the sink adds)."""

import smtplib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import requests

from bench.stats import median, percentile
from booking.bootstrap import bootstrap
from eventbus.settings import Settings
from xudong.stack import Stack

ROUNDS, RATE, SECONDS = 3, 100, 5
PATH = "booking state change → email accepted by MailDev"
BASELINE = "baseline: the email sent straight to MailDev over SMTP"


def _issued(email: str) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "organiser_id": "bench",
        "title": {"vi": "Đêm Chèo", "en": "Chèo night"},
        "category": "cheo",
        "venue_id": str(uuid.uuid4()),
        "venue_name": {"vi": "Nhà hát Chèo", "en": "Chèo theatre"},
        "area_id": str(uuid.uuid4()),
        "sessions": [
            {"start": datetime(2027, 6, 1, 12, tzinfo=UTC), "end": datetime(2027, 6, 1, 14, tzinfo=UTC)}
        ],
        "order_id": str(uuid.uuid4()),
        "status": "paid",
        "buyer_id": None,
        "email": email,
        "language": "vi",
        "items": [],
        "seats": [],
        "total": 150_000,
        "currency": "VND",
        "expires_at": datetime(2027, 1, 1, tzinfo=UTC),
        "refund": 0,
        "reason": None,
        "order_url": "http://127.0.0.1:8002/v1/orders/bench",
        "tickets": [{"code": "BENCH", "ticket_type_id": "t", "seat": None, "url": "u", "qr_url": "q"}],
    }


def _round(stack: Stack, change: Callable[[str], None], tag: str) -> list[float]:
    """RATE × SECONDS changes, each by `change(address)` for a new address, and each one's latency."""
    committed: dict[str, float] = {}
    start = time.monotonic()
    for i in range(RATE * SECONDS):
        time.sleep(max(0.0, start + i / RATE - time.monotonic()))
        email = f"bench-{tag}-{i}@example.vn"
        committed[email] = time.time()
        change(email)
    deadline, received = time.monotonic() + 120, dict[str, str]()
    while len(received) < len(committed) and time.monotonic() < deadline:
        time.sleep(1)
        mails = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=30).json()
        received = {m["to"][0]["address"]: m["time"] for m in mails if m["to"][0]["address"] in committed}
    missing = len(committed) - len(received)
    if missing:
        raise RuntimeError(f"{missing} of {len(committed)} emails never reached MailDev")
    requests.delete(f"http://127.0.0.1:{stack.ports.maildev_web}/email/all", timeout=30)
    return [
        datetime.fromisoformat(received[a].replace("Z", "+00:00")).timestamp() - t
        for a, t in committed.items()
    ]


def run(stack: Stack) -> list[tuple[str, str, str]]:
    stack.start_services()
    try:
        runtime = bootstrap(
            Settings("booking", stack.database_url("booking"), stack.kafka_bootstrap, "WARNING")
        )

        def commit(email: str) -> None:  # a paid order's tickets, as the booking service commits them
            data = _issued(email)
            with runtime.engine.begin() as conn:
                runtime.outbox.add(conn, "booking.tickets.issued", data["order_id"], data)

        smtp = smtplib.SMTP("127.0.0.1", stack.ports.smtp)

        def straight(email: str) -> None:  # the baseline: the same email, sent by hand
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = "bench@example.vn", email, "Vé của bạn"
            message.set_content("Vé của bạn: Đêm Chèo")
            smtp.send_message(message)

        rows = []
        for name, change in ((PATH, commit), (BASELINE, straight)):
            p50s, p99s = [], []
            for round_ in range(ROUNDS):
                latencies = _round(stack, change, f"{uuid.uuid4().hex[:6]}-{round_}")
                p50s.append(percentile(latencies, 50))
                p99s.append(percentile(latencies, 99))
                shown = f"p50 {p50s[-1] * 1000:.0f} ms, p99 {p99s[-1] * 1000:.0f} ms"
                print(f"{name} round {round_ + 1}/{ROUNDS}: {shown}", flush=True)
            measure = f"latency at {RATE}/s ({RATE * SECONDS} a round)"
            rows.append(
                (name, measure, f"p50 {median(p50s) * 1000:.0f} ms, p99 {median(p99s) * 1000:.0f} ms")
            )
        smtp.quit()
        return rows
    finally:
        stack.stop_services()
