"""What a chaos run must leave behind, proved from the databases, the Kafka topics, MailDev and
localstripe. `read_snapshot` gathers them once the platform has settled; `violations` is a pure
function of that snapshot and of what the workload was told, and names every broken promise."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import requests
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from booking.consumers import TOPICS as BOOKING_TOPICS
from booking.consumers import consumers as booking_consumers
from eventbus.envelope import Envelope, InvalidEnvelope
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
# Changes that happen once to their subject, so their event must exist once (one id, however
# many times the relay had to send it).
ONCE = {
    "booking.order.held",
    "booking.order.paid",
    "booking.order.cancelled",
    "booking.tickets.issued",
    "booking.ticket.checked_in",
    "booking.venue_booking.requested",
    "booking.venue_booking.confirmed",
    "venues.slot.approved",
}
LIVE_ORDERS = ("held", "paid")
HOLDING_ENTRIES = ("held", "approved", "confirmed", "blackout")
LIVE_BOOKINGS = ("held", "approved", "awaiting_payment", "confirmed")
# Emails a buyer must get exactly once: event type → message.
BUYER_EMAILS = {"booking.tickets.issued": "order_confirmation", "booking.order.cancelled": "order_cancelled"}


@dataclass
class Snapshot:
    orders: list[dict[str, Any]]
    items: list[dict[str, Any]]  # order_id, ticket_type_id, quantity
    tickets: list[dict[str, Any]]
    ticket_types: list[dict[str, Any]]
    bookings: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    events: list[dict[str, Any]]  # every message on the topics about the run's subjects, repeats kept
    processed: dict[str, set[str]]  # consumer group → ids of the events it applied
    outbox: dict[str, int]  # service → rows not yet published
    notifications: list[dict[str, Any]]
    mails: list[dict[str, Any]]  # MailDev's emails: notification id (from the Message-ID), to
    charges: dict[str, int]  # PaymentIntent → amount Stripe took (0 unless succeeded)
    refunds: dict[str, list[int]]  # PaymentIntent → amounts Stripe paid back
    lag: dict[str, int]  # consumer group → messages not yet committed


# --- reading ----------------------------------------------------------------------------------
def rows(stack: Stack, database: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(stack.database_url(database))
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def read_snapshot(stack: Stack, scene: Scene, ledger: Ledger) -> Snapshot:
    events = [scene.standing["id"], scene.seated["id"]]
    spaces = [s["id"] for s in scene.place["spaces"]]
    orders = rows(
        stack,
        "booking",
        """SELECT o.id::text, o.event_id::text, o.email, o.status, o.total, o.paid_amount, o.refund_due,
                  o.refunded_amount, o.payment_intent_id, o.seat_ids,
                  (SELECT sum(quantity) FROM order_items i WHERE i.order_id = o.id) AS quantity
           FROM orders o WHERE o.event_id::text = ANY(:events)""",
        events=events,
    )
    bookings = rows(
        stack,
        "booking",
        """SELECT id::text, space_id::text, status, starts_at, ends_at, fee_amount, paid_amount, refund_due,
                  refunded_amount, payment_intent_id
           FROM venue_bookings WHERE space_id::text = ANY(:spaces)""",
        spaces=spaces,
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
    notifications = rows(
        stack,
        "notifications",
        "SELECT id::text, event_id::text, event_type, template, recipient, channel, address, status,"
        " send_after <= now() AS due FROM notifications WHERE event_id::text = ANY(:ids)",
        ids=ids,
    )
    return Snapshot(
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
            "SELECT id::text, kind, quota, taken FROM ticket_types WHERE event_id::text = ANY(:events)",
            events=events,
        ),
        bookings=bookings,
        entries=rows(
            stack,
            "venues",
            "SELECT id::text, space_id::text, venue_booking_id::text, status, starts_at, blocked_until"
            " FROM schedule_entries WHERE space_id::text = ANY(:spaces)",
            spaces=spaces,
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
        notifications=notifications,
        mails=mails(stack, ledger.tag, {n["id"] for n in notifications}),
        charges={i: charged(stack, i) for i in intents},
        refunds={i: refunded(stack, i) for i in intents},
        lag=consumer_lag(stack),
    )


def topic_events(stack: Stack, subjects: set[str]) -> list[dict[str, Any]]:
    """Every envelope on the topics whose subject is one of `subjects`, as often as it was sent."""
    consumer = KafkaConsumer(
        *TOPICS,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    found = []
    try:
        for message in consumer:
            try:
                event = Envelope.from_bytes(message.value)
            except InvalidEnvelope:
                continue
            if event.subject in subjects:
                found.append(
                    {"id": event.id, "type": event.type, "subject": event.subject, "topic": message.topic}
                )
    finally:
        consumer.close()
    return found


def mails(stack: Stack, tag: str, notifications: set[str]) -> list[dict[str, Any]]:
    """MailDev's emails about the run: those its notifications sent (the Message-ID is
    `<notification id@…>`) and any other to the run's buyers."""
    every = requests.get(f"http://127.0.0.1:{stack.ports.maildev_web}/email", timeout=30).json()
    found = [
        {
            "notification": (mail.get("messageId") or "").strip("<>").split("@")[0],
            "to": [t["address"] for t in mail["to"]],
            "subject": mail["subject"],
        }
        for mail in every
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
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap, request_timeout_ms=10000)
    reader = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    try:
        lag = {}
        for group, (topics, _) in GROUPS.items():
            partitions = [TopicPartition(t, p) for t in topics for p in reader.partitions_for_topic(t) or ()]
            ends = reader.end_offsets(partitions)
            committed = admin.list_group_offsets({group: partitions})[group]
            lag[group] = sum(
                end - (committed[tp].offset if committed.get(tp) else 0) for tp, end in ends.items()
            )
        return lag
    finally:
        reader.close()
        admin.close()


# --- judging ----------------------------------------------------------------------------------
def violations(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every broken promise in the snapshot, one line each; an empty list when all hold."""
    return [
        *outbox_drained(snap),
        *changes_published(snap),
        *events_applied(snap),
        *told_and_done(snap, ledger),
        *tickets_once(snap),
        *slots_once(snap),
        *emails_once(snap),
        *money_once(snap, ledger),
        *no_overlap(snap),
        *no_oversell(snap),
        *caught_up(snap),
    ]


def outbox_drained(snap: Snapshot) -> list[str]:
    return [f"the {s} outbox still holds {n} unpublished events" for s, n in snap.outbox.items() if n]


def expected_events(snap: Snapshot) -> set[tuple[str, str]]:
    """(type, subject) of the events the committed state implies."""
    issued = {t["order_id"] for t in snap.tickets}
    wanted = {("booking.order.held", o["id"]) for o in snap.orders}
    wanted |= {("booking.order.paid", o) for o in issued}
    wanted |= {("booking.tickets.issued", o) for o in issued}
    wanted |= {("booking.order.cancelled", o["id"]) for o in snap.orders if o["status"] == "cancelled"}
    wanted |= {("booking.order.expired", o["id"]) for o in snap.orders if o["status"] == "expired"}
    wanted |= {("booking.ticket.checked_in", t["code"]) for t in snap.tickets if t["checked_in_at"]}
    wanted |= {("booking.venue_booking.requested", b["id"]) for b in snap.bookings}
    wanted |= {(f"booking.venue_booking.{b['status']}", b["id"]) for b in snap.bookings}
    wanted |= {
        ("venues.slot.approved", e["venue_booking_id"]) for e in snap.entries if e["status"] == "approved"
    }
    return wanted


def changes_published(snap: Snapshot) -> list[str]:
    ids_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for event in snap.events:
        ids_of[(event["type"], event["subject"])].add(event["id"])
    missing = [
        f"{kind} about {subject} never reached its topic"
        for kind, subject in sorted(expected_events(snap))
        if not ids_of[(kind, subject)]
    ]
    doubled = [
        f"{kind} about {subject} was published as {len(ids)} different events"
        for (kind, subject), ids in sorted(ids_of.items())
        if kind in ONCE and len(ids) > 1
    ]
    return missing + doubled


def events_applied(snap: Snapshot) -> list[str]:
    """Each event reached every consumer group that handles its type (the processed-events rows
    commit with the effect, so an id there is the effect applied)."""
    distinct = {e["id"]: e for e in snap.events}
    return [
        f"{event['type']} {event_id} about {event['subject']} was never applied by {group}"
        for event_id, event in sorted(distinct.items())
        for group, (topics, handled) in GROUPS.items()
        if event["topic"] in topics and event["type"] in handled and event_id not in snap.processed[group]
    ]


def told_and_done(snap: Snapshot, ledger: Ledger) -> list[str]:
    """What a 2xx answer promised is in the databases."""
    orders = {o["id"]: o for o in snap.orders}
    tickets = {t["code"]: t for t in snap.tickets}
    bookings = {b["id"] for b in snap.bookings}
    entries = {e["id"]: e for e in snap.entries}
    return (
        [
            f"order {o['id']} was answered 201 but is not stored"
            for o in ledger.orders
            if o["id"] not in orders
        ]
        + [
            f"order {o} was answered cancelled but is {orders[o]['status']}"
            for o in ledger.cancelled
            if o in orders and orders[o]["status"] != "cancelled"
        ]
        + [
            f"ticket {c} was let in but is not checked in"
            for c in ledger.checked_in
            if c not in tickets or not tickets[c]["checked_in_at"]
        ]
        + [
            f"venue booking {b['id']} was accepted but is not stored"
            for b in ledger.bookings
            if b["id"] not in bookings
        ]
        + [
            f"schedule entry {e} was approved but is {entries[e]['status'] if e in entries else 'gone'}"
            for e in ledger.approved
            if e not in entries or entries[e]["status"] == "held"
        ]
    )


def tickets_once(snap: Snapshot) -> list[str]:
    """A paid order has one valid ticket per place, any other order none; no order has more
    tickets than places."""
    valid = Counter(t["order_id"] for t in snap.tickets if t["status"] == "valid")
    every = Counter(t["order_id"] for t in snap.tickets)
    found = []
    for order in snap.orders:
        places = int(order["quantity"] or len(order["seat_ids"]))
        wanted = places if order["status"] == "paid" else 0
        if valid[order["id"]] != wanted or every[order["id"]] > places:
            found.append(
                f"order {order['id']} ({order['status']}, {places} places) has {valid[order['id']]} valid"
                f" tickets of {every[order['id']]}"
            )
    return found


def slots_once(snap: Snapshot) -> list[str]:
    """A venue booking the venue holds has its one entry on the space's schedule."""
    entries = Counter(e["venue_booking_id"] for e in snap.entries)
    return [
        f"venue booking {b['id']} ({b['status']}) has {entries[b['id']]} schedule entries"
        for b in snap.bookings
        if entries[b["id"]] > 1 or (b["status"] in LIVE_BOOKINGS and entries[b["id"]] != 1)
    ]


def emails_once(snap: Snapshot) -> list[str]:
    """Each buyer's message is written once and sent once: one email in MailDev per notification,
    and no email that no notification accounts for."""
    sent = Counter(m["notification"] for m in snap.mails)
    emails = [n for n in snap.notifications if n["channel"] == "email"]
    written = Counter((n["event_id"], n["template"]) for n in emails)
    found = [
        f"{template} for {event['type']} {event['id']} was written {written[(event['id'], template)]} times"
        for event in {e["id"]: e for e in snap.events}.values()
        for kind, template in BUYER_EMAILS.items()
        if event["type"] == kind and written[(event["id"], template)] != 1
    ]
    found += [
        f"email notification {n['id']} ({n['template']}) is {n['status']}"
        for n in emails
        if n["due"] and n["status"] not in ("sent", "cancelled")
    ]
    found += [
        f"email notification {n['id']} ({n['template']}) reached MailDev {sent[n['id']]} times"
        for n in emails
        if n["status"] == "sent" and sent[n["id"]] != 1
    ]
    known = {n["id"] for n in emails}
    found += [
        f"an email to {m['to']} ({m['subject']!r}) comes from no notification"
        for m in snap.mails
        if m["notification"] not in known
    ]
    return found


def money_once(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every payment Stripe took is recorded, and every refund owed is paid back once, in full."""
    found = []
    for row in snap.orders + snap.bookings:
        intent = row["payment_intent_id"]
        if not intent:
            continue
        taken, back = snap.charges.get(intent, 0), snap.refunds.get(intent, [])
        if taken != row["paid_amount"]:
            found.append(f"{row['id']}: Stripe took {taken}, the record says {row['paid_amount']} was paid")
        if sum(back) != row["refunded_amount"] or row["refunded_amount"] != row["refund_due"]:
            found.append(
                f"{row['id']}: owed back {row['refund_due']}, recorded {row['refunded_amount']},"
                f" Stripe refunded {back}"
            )
    known = {r["payment_intent_id"] for r in snap.orders + snap.bookings}
    found += [
        f"payment {i} on Stripe belongs to no order or booking" for i in ledger.intents_paid if i not in known
    ]
    return found


def no_overlap(snap: Snapshot) -> list[str]:
    """No two schedule entries holding a space share a moment (with the space's buffer after
    each), and no two live venue bookings of a space overlap."""
    entries = [
        (e["id"], e["space_id"], e["starts_at"], e["blocked_until"])
        for e in snap.entries
        if e["status"] in HOLDING_ENTRIES
    ]
    bookings = [
        (b["id"], b["space_id"], b["starts_at"], b["ends_at"])
        for b in snap.bookings
        if b["status"] in LIVE_BOOKINGS
    ]
    return overlaps("entries", entries) + overlaps("venue bookings", bookings)


def overlaps(what: str, spans: list[tuple[str, str, Any, Any]]) -> list[str]:
    found = []
    ordered = sorted(spans, key=lambda span: span[2])
    for i, (first, space, _, first_end) in enumerate(ordered):
        for second, other_space, second_start, _ in ordered[i + 1 :]:
            if other_space == space and second_start < first_end:
                found.append(f"{what} {first} and {second} overlap on space {space}")
    return found


def no_oversell(snap: Snapshot) -> list[str]:
    """No ticket type sells beyond its quota, a counter equals the places live orders hold, and no
    seat is in two live orders or two valid tickets."""
    live = {o["id"] for o in snap.orders if o["status"] in LIVE_ORDERS}
    held = Counter()  # type: Counter[str]
    for item in snap.items:
        if item["order_id"] in live:
            held[item["ticket_type_id"]] += item["quantity"]
    sold = Counter(t["ticket_type_id"] for t in snap.tickets if t["status"] == "valid")
    found = [
        f"ticket type {t['id']}: {sold[t['id']]} sold of {t['quota']}"
        for t in snap.ticket_types
        if sold[t["id"]] > t["quota"]
    ]
    found += [
        f"ticket type {t['id']}: counter {t['taken']}, live orders hold {held[t['id']]}"
        for t in snap.ticket_types
        if t["kind"] != "seated" and t["taken"] != held[t["id"]]
    ]
    in_orders = Counter(seat for o in snap.orders if o["id"] in live for seat in o["seat_ids"])
    in_tickets = Counter(t["seat_id"] for t in snap.tickets if t["status"] == "valid" and t["seat_id"])
    found += [f"seat {seat} is in {n} live orders" for seat, n in in_orders.items() if n > 1]
    found += [f"seat {seat} is on {n} valid tickets" for seat, n in in_tickets.items() if n > 1]
    return found


def caught_up(snap: Snapshot) -> list[str]:
    return [f"consumer group {g} lags {n} messages behind" for g, n in snap.lag.items() if n]
