"""What a chaos run left behind, read once the platform has settled: the rows of the run's
objects in the three databases, every message about them on the topics (read to the end offsets),
MailDev's emails and what localstripe took and gave back. The checker judges it."""

import time
from dataclasses import dataclass
from typing import Any

import requests
import sqlalchemy as sa
from kafka import KafkaConsumer, TopicPartition

from booking.consumers import TOPICS as BOOKING_TOPICS
from booking.consumers import consumers as booking_consumers
from eventbus.envelope import Envelope, InvalidEnvelope
from eventbus.kafka import lag
from notifications.consumers import TOPICS as NOTIFICATIONS_TOPICS
from notifications.consumers import consumers as notifications_consumers
from tests.chaos.workload import Ledger, Scene
from venues.consumers import TOPICS as VENUES_TOPICS
from venues.consumers import consumers as venues_consumers
from xudong.stack import LOCAL_STRIPE_KEY, SERVICES, Stack

# Each consumer group (named after its service): the topics it reads and the event types it applies.
GROUPS: dict[str, tuple[list[str], set[str]]] = {
    "venues": (VENUES_TOPICS, set(venues_consumers(None))),  # type: ignore[arg-type]
    "booking": (BOOKING_TOPICS, set(booking_consumers(None))),  # type: ignore[arg-type]
    "notifications": (NOTIFICATIONS_TOPICS, set(notifications_consumers(None))),  # type: ignore[arg-type]
}
TOPICS = sorted({topic for topics, _ in GROUPS.values() for topic in topics})
READ_FOR = 120.0  # seconds the topics' reader may take to reach the end offsets it was given


@dataclass
class Snapshot:
    sales: list[dict[str, Any]]  # the run's events on sale: id, starts_at, refund_policy
    orders: list[dict[str, Any]]
    items: list[dict[str, Any]]  # order_id, ticket_type_id, quantity
    tickets: list[dict[str, Any]]
    ticket_types: list[dict[str, Any]]  # id, kind, price, quota, taken
    rates: dict[str, int]  # space → its hourly rate, as the venue set it
    bookings: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    events: list[dict[str, Any]]  # every message on the topics about the run's subjects, repeats kept
    processed: dict[str, set[str]]  # consumer group → ids of the events it applied
    outbox: dict[str, int]  # service → rows not yet published
    contacts: dict[str, str]  # person → the email address they gave
    managers: list[str]  # the venue's managers
    notifications: list[dict[str, Any]]
    mails: list[dict[str, Any]]  # MailDev's emails: notification id (from the Message-ID), to, subject
    charges: dict[str, int]  # PaymentIntent → amount Stripe took (0 unless succeeded)
    refunds: dict[str, list[int]]  # PaymentIntent → amounts Stripe paid back
    lag: dict[str, int]  # consumer group → messages not yet committed


def rows(stack: Stack, database: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(stack.database_url(database))
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def read_snapshot(stack: Stack, scene: Scene, ledger: Ledger) -> Snapshot:
    events = [scene.standing["id"], scene.seated["id"]]
    spaces = {s["id"]: s for s in scene.place["spaces"]}
    orders = rows(
        stack,
        "booking",
        "SELECT id::text, event_id::text, email, status, reason, total, paid_amount, refund_due,"
        " refunded_amount, payment_intent_id, seat_ids,"
        " (SELECT sum(quantity) FROM order_items i WHERE i.order_id = o.id) AS quantity"
        " FROM orders o WHERE o.event_id::text = ANY(:events)",
        events=events,
    )
    bookings = rows(
        stack,
        "booking",
        "SELECT id::text, organiser_id, space_id::text, status, reason, starts_at, ends_at, fee_amount,"
        " paid_amount, refund_due, refunded_amount, payment_intent_id"
        " FROM venue_bookings WHERE space_id::text = ANY(:spaces)",
        spaces=list(spaces),
    )
    tickets = rows(
        stack,
        "booking",
        "SELECT code, order_id::text, ticket_type_id::text, seat_id::text, status, checked_in_at FROM tickets"
        " WHERE event_id::text = ANY(:events)",
        events=events,
    )
    subjects = {o["id"] for o in orders} | {b["id"] for b in bookings} | {t["code"] for t in tickets}
    on_topics = topic_events(stack, subjects)
    ids = sorted({e["id"] for e in on_topics})
    intents = [r["payment_intent_id"] for r in orders + bookings if r["payment_intent_id"]]
    managers = [scene.place["manager_id"]]
    notifications = rows(
        stack,
        "notifications",
        "SELECT id::text, event_id::text, event_type, template, recipient, channel, address, subject,"
        " status, unconfirmed, send_after <= now() AS due"
        " FROM notifications WHERE event_id::text = ANY(:ids)",
        ids=ids,
    )
    people = [b["organiser_id"] for b in bookings] + managers
    return Snapshot(
        sales=rows(
            stack,
            "booking",
            "SELECT id::text, starts_at, refund_policy FROM events WHERE id::text = ANY(:events)",
            events=events,
        ),
        orders=orders,
        items=rows(
            stack,
            "booking",
            "SELECT order_id::text, ticket_type_id::text, quantity FROM order_items"
            " WHERE order_id::text = ANY(:ids)",
            ids=[o["id"] for o in orders],
        ),
        tickets=tickets,
        ticket_types=rows(
            stack,
            "booking",
            "SELECT id::text, kind, price, quota, taken FROM ticket_types"
            " WHERE event_id::text = ANY(:events)",
            events=events,
        ),
        rates={
            i: s["rules"]["rate"]["amount"] for i, s in spaces.items() if s["rules"]["rate"]["unit"] == "hour"
        },
        bookings=bookings,
        entries=rows(
            stack,
            "venues",
            "SELECT id::text, space_id::text, venue_booking_id::text, status, starts_at, blocked_until"
            " FROM schedule_entries WHERE space_id::text = ANY(:spaces)",
            spaces=list(spaces),
        ),
        events=on_topics,
        processed={
            group: {
                r["event_id"]
                for r in rows(
                    stack,
                    group,
                    "SELECT event_id::text FROM processed_events"
                    " WHERE consumer = :group AND event_id::text = ANY(:ids)",
                    group=group,
                    ids=ids,
                )
            }
            for group in GROUPS
        },
        outbox={s: rows(stack, s, "SELECT count(*) AS n FROM outbox")[0]["n"] for s in SERVICES},
        contacts={
            r["recipient"]: r["email"]
            for r in rows(
                stack,
                "notifications",
                "SELECT recipient, email FROM contacts WHERE recipient = ANY(:people) AND email IS NOT NULL",
                people=people,
            )
        },
        managers=managers,
        notifications=notifications,
        mails=mails(stack, ledger.tag, {n["id"] for n in notifications}),
        charges={i: charged(stack, i) for i in intents},
        refunds={i: refunded(stack, i) for i in intents},
        lag=consumer_lag(stack),
    )


def topic_events(stack: Stack, subjects: set[str], topics: list[str] = TOPICS) -> list[dict[str, Any]]:
    """Every envelope on `topics` whose subject is one of `subjects`, as often as it was sent: the
    partitions are read from the start to the end offsets they had when the reading began (a
    silence on the way is waited through, not taken for the end)."""
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, enable_auto_commit=False)
    found = []
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        ends = {tp: end for tp, end in consumer.end_offsets(partitions).items() if end}
        consumer.assign(list(ends))
        consumer.seek_to_beginning()
        deadline = time.monotonic() + READ_FOR
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                short = {f"{tp.topic}/{tp.partition}": (consumer.position(tp), e) for tp, e in ends.items()}
                raise TimeoutError(f"the topics were not read to their end offsets: {short}")
            for tp, messages in consumer.poll(timeout_ms=1000).items():
                for message in messages:
                    if message.offset >= ends[tp]:
                        continue
                    try:
                        event = Envelope.from_bytes(message.value)
                    except InvalidEnvelope:
                        continue
                    if event.subject in subjects:
                        found.append(
                            {"id": event.id, "type": event.type, "subject": event.subject, "topic": tp.topic}
                        )
    finally:
        consumer.close()
    return found


def mails(stack: Stack, tag: str, notifications: set[str]) -> list[dict[str, Any]]:
    """MailDev's emails about the run: those its notifications sent (the Message-ID is
    `<notification id@…>`) and any other to the run's people. (A message MailDev was stopped in
    the middle of is a file with no headers, and its sender was never told it arrived.)"""
    every = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=30).json()
    found = [
        {
            "notification": (mail.get("messageId") or "").strip("<>").split("@")[0],
            "to": [t["address"] for t in mail["to"]],
            "subject": mail.get("subject", ""),
        }
        for mail in every
        if "to" in mail  # not a file MailDev's own stop cut short before its headers
    ]
    return [m for m in found if m["notification"] in notifications or any(tag in a for a in m["to"])]


def stripe(stack: Stack, path: str) -> dict[str, Any]:
    answer = requests.get(
        f"http://127.0.0.1:{stack.ports.stripe}/v1{path}", auth=(LOCAL_STRIPE_KEY, ""), timeout=10
    )
    return dict(answer.json())


def charged(stack: Stack, intent_id: str) -> int:
    intent = stripe(stack, f"/payment_intents/{intent_id}")
    return int(intent["amount"]) if intent.get("status") == "succeeded" else 0


def refunded(stack: Stack, intent_id: str) -> list[int]:
    return [int(r["amount"]) for r in stripe(stack, f"/refunds?payment_intent={intent_id}")["data"]]


def consumer_lag(stack: Stack) -> dict[str, int]:
    """Per consumer group, how many messages of its topics lie beyond its committed offsets."""
    return {
        group: sum(lag(stack.kafka_bootstrap, group, topics).values())
        for group, (topics, _) in GROUPS.items()
    }
