"""A small chaos run's snapshot written out by hand, in which every promise holds: orders paid,
held, expired, cancelled with a full and with a half refund, and paid too late; venue bookings
confirmed, waiting for review, conflicted, expired, and paid too late; each object's events, the
emails they caused and the money they moved. The checker's controls break it one way at a time."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.chaos.snapshot import GROUPS, Snapshot
from tests.chaos.workload import Ledger

STARTS = datetime(2027, 1, 20, 12, tzinfo=UTC)
POLICY = [{"notice_days": 7, "refund_share": 1.0}, {"notice_days": 1, "refund_share": 0.5}]
TOPIC = {"booking": "booking.events", "venues": "venues.events"}
MANAGER = "manager-w"
LATE = "paid after the {} was expired; refunded in full"


def order(
    oid: str, status: str, places: int, paid: int, events: list[tuple[str, list[str]]], **more: Any
) -> dict[str, Any]:
    """An order of standing places (or of `seats`), its events and the emails each one caused."""
    seats = more.pop("seats", [])
    kind = "tt-seat" if seats else "tt-ga"
    row = {
        "id": oid,
        "event_id": "ev-seated" if seats else "ev-standing",
        "email": f"{oid}@w.example.vn",
        "status": status,
        "reason": None,
        "total": places * (200_000 if seats else 100_000),
        "paid_amount": paid,
        "refund_due": 0,
        "refunded_amount": 0,
        "payment_intent_id": f"pi-{oid}" if paid else None,
        "seat_ids": seats,
        "quantity": places,
    } | more
    return {"row": row, "type": kind, "events": events}


def booking(
    bid: str, status: str, hours: int, day: int, events: list[tuple[str, list[str]]], entry: str, **more: Any
) -> dict[str, Any]:
    start = STARTS + timedelta(days=day)
    row = {
        "id": bid,
        "organiser_id": f"org-{bid}",
        "space_id": "sp-hall",
        "status": status,
        "reason": None,
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
        "fee_amount": hours * 500_000,
        "paid_amount": 0,
        "refund_due": 0,
        "refunded_amount": 0,
        "payment_intent_id": None,
    } | more
    return {"row": row, "events": events, "entry": entry}


HELD, PAID, ISSUED = "booking.order.held", "booking.order.paid", "booking.tickets.issued"
VB = "booking.venue_booking."
ORDERS = [
    order("o-paid", "paid", 2, 200_000, [(HELD, []), (PAID, []), (ISSUED, ["order_confirmation"])]),
    order("o-door", "paid", 1, 100_000, [(HELD, []), (PAID, []), (ISSUED, ["order_confirmation"])]),
    order(
        "o-seat",
        "paid",
        1,
        200_000,
        [(HELD, []), (PAID, []), (ISSUED, ["order_confirmation"])],
        seats=["s-1"],
    ),
    order("o-held", "held", 1, 0, [(HELD, [])]),
    order("o-expired", "expired", 1, 0, [(HELD, []), ("booking.order.expired", [])]),
    order(
        "o-full",
        "cancelled",
        3,
        300_000,
        [
            (HELD, []),
            (PAID, []),
            (ISSUED, ["order_confirmation"]),
            ("booking.order.cancelled", ["order_cancelled"]),
        ],
        refund_due=300_000,
        refunded_amount=300_000,
    ),
    order(
        "o-half",
        "cancelled",
        1,
        100_000,
        [
            (HELD, []),
            (PAID, []),
            (ISSUED, ["order_confirmation"]),
            ("booking.order.cancelled", ["order_cancelled"]),
        ],
        refund_due=50_000,
        refunded_amount=50_000,
    ),
    order(
        "o-late",
        "expired",
        1,
        100_000,
        [(HELD, []), ("booking.order.expired", []), ("booking.order.refunded", ["order_refunded"])],
        reason=LATE.format("order"),
        refund_due=100_000,
        refunded_amount=100_000,
    ),
]
ASKED = {"o-full": STARTS - timedelta(days=10), "o-half": STARTS - timedelta(days=3)}
REVIEWED = [
    (VB + "requested", ["request_received"]),
    ("venues.slot.held", ["review_requested"]),
    (VB + "held", ["request_held"]),
    ("venues.slot.approved", []),
    (VB + "approved", ["request_approved"]),
    (VB + "awaiting_payment", ["payment_due"]),
]
BOOKINGS = [
    booking(
        "b-confirmed",
        "confirmed",
        2,
        0,
        [*REVIEWED, (VB + "confirmed", ["booking_confirmed"])],
        "confirmed",
        paid_amount=1_000_000,
        payment_intent_id="pi-b-confirmed",
    ),
    booking(
        "b-conflicted",
        "conflicted",
        2,
        0,
        [
            (VB + "requested", ["request_received"]),
            ("venues.slot.conflicted", []),
            (VB + "conflicted", ["request_conflicted"]),
        ],
        "conflicted",
    ),
    booking("b-held", "held", 3, 1, REVIEWED[:3], "held"),
    booking(
        "b-expired",
        "expired",
        1,
        2,
        [*REVIEWED, (VB + "expired", ["booking_expired"]), ("venues.slot.released", ["schedule_released"])],
        "released",
    ),
    booking(
        "b-late",
        "expired",
        1,
        3,
        [
            *REVIEWED,
            (VB + "expired", ["booking_expired"]),
            ("venues.slot.released", ["schedule_released"]),
            (VB + "refunded", ["booking_refunded"]),
        ],
        "released",
        reason=LATE.format("booking"),
        paid_amount=500_000,
        refund_due=500_000,
        refunded_amount=500_000,
        payment_intent_id="pi-b-late",
    ),
]


def tickets() -> list[dict[str, Any]]:
    made = []
    for o in ORDERS:
        row = o["row"]
        if row["paid_amount"] and not row["reason"]:
            for n in range(row["quantity"]):
                seat = row["seat_ids"][n] if row["seat_ids"] else None
                status = "valid" if row["status"] == "paid" else "void"
                made.append(
                    {
                        "code": f"{row['id']}-t{n}",
                        "order_id": row["id"],
                        "ticket_type_id": o["type"],
                        "seat_id": seat,
                        "status": status,
                        "checked_in_at": STARTS if row["id"] == "o-door" else None,
                    }
                )
    return made


def world() -> tuple[Snapshot, Ledger]:
    """The snapshot, and the ledger of what the actors were told."""
    events: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    contacts = {f"org-{b['row']['id']}": f"org-{b['row']['id']}@w.example.vn" for b in BOOKINGS}
    contacts[MANAGER] = "manager@w.example.vn"
    subjects = [(o["row"]["id"], o["events"], o["row"]["email"]) for o in ORDERS]
    subjects += [(b["row"]["id"], b["events"], contacts[b["row"]["organiser_id"]]) for b in BOOKINGS]
    for code in [t["code"] for t in tickets() if t["checked_in_at"]]:
        subjects.append((code, [("booking.ticket.checked_in", [])], ""))
    for subject, steps, address in subjects:
        for kind, templates in steps:
            eid = f"{kind}:{subject}"
            events.append({"id": eid, "type": kind, "subject": subject, "topic": TOPIC[kind.split(".")[0]]})
            for template in templates:
                to = contacts[MANAGER] if kind.startswith("venues.") else address
                nid = f"n-{len(notes)}"
                subject_line = f"{template} ({subject})"
                notes.append(
                    {
                        "id": nid,
                        "event_id": eid,
                        "event_type": kind,
                        "template": template,
                        "recipient": "someone",
                    }
                    | {
                        "channel": "email",
                        "address": to,
                        "subject": subject_line,
                        "status": "sent",
                        "due": True,
                        "unconfirmed": 0,
                    }
                )
                mails.append({"notification": nid, "to": [to], "subject": subject_line})
    held = next(e["id"] for e in events if e["id"] == f"{HELD}:o-held")
    notes.append(
        {
            "id": "n-reminder",
            "event_id": held,
            "event_type": HELD,
            "template": "hold_expiring",
            "recipient": "x",
        }
        | {
            "channel": "email",
            "address": "o-held@w.example.vn",
            "subject": "soon",
            "status": "pending",
            "due": False,
            "unconfirmed": 0,
        }
    )
    issued = f"{ISSUED}:o-paid"
    notes.append(
        {
            "id": "n-later",
            "event_id": issued,
            "event_type": ISSUED,
            "template": "event_reminder",
            "recipient": "x",
        }
        | {
            "channel": "email",
            "address": "o-paid@w.example.vn",
            "subject": "soon",
            "status": "pending",
            "due": False,
            "unconfirmed": 0,
        }
    )
    events.append(dict(events[0]))  # the relay sent one event twice: one id, two messages
    rows = [o["row"] for o in ORDERS] + [b["row"] for b in BOOKINGS]
    intents = [r["payment_intent_id"] for r in rows if r["payment_intent_id"]]
    snap = Snapshot(
        sales=[{"id": e, "starts_at": STARTS, "refund_policy": POLICY} for e in ("ev-standing", "ev-seated")],
        orders=[o["row"] for o in ORDERS],
        items=[
            {"order_id": o["row"]["id"], "ticket_type_id": o["type"], "quantity": o["row"]["quantity"]}
            for o in ORDERS
        ],
        tickets=tickets(),
        ticket_types=[
            {"id": "tt-ga", "kind": "general_admission", "price": 100_000, "quota": 40, "taken": 4},
            {"id": "tt-seat", "kind": "seated", "price": 200_000, "quota": 10, "taken": 1},
        ],
        rates={"sp-hall": 500_000},
        bookings=[b["row"] for b in BOOKINGS],
        entries=[
            {
                "id": f"e-{b['row']['id']}",
                "space_id": "sp-hall",
                "venue_booking_id": b["row"]["id"],
                "status": b["entry"],
                "starts_at": b["row"]["starts_at"],
                "blocked_until": b["row"]["ends_at"] + timedelta(minutes=30),
            }
            for b in BOOKINGS
        ],
        events=events,
        processed={
            group: {e["id"] for e in events if e["topic"] in topics and e["type"] in handled}
            for group, (topics, handled) in GROUPS.items()
        },
        outbox={"venues": 0, "booking": 0, "notifications": 0},
        contacts=contacts,
        managers=[MANAGER],
        notifications=notes,
        mails=mails,
        charges={r["payment_intent_id"]: r["paid_amount"] for r in rows if r["payment_intent_id"]},
        refunds={
            r["payment_intent_id"]: [r["refund_due"]] if r["refund_due"] else []
            for r in rows
            if r["payment_intent_id"]
        },
        lag={"venues": 0, "booking": 0, "notifications": 0},
    )
    ledger = Ledger(
        tag="w",
        orders=[{"id": o["row"]["id"], "token": "t", "email": o["row"]["email"]} for o in ORDERS],
        intents_paid=intents,
        cancelled=[
            {"id": oid, "asked": at, "answered": at + timedelta(seconds=1), "status": 200}
            for oid, at in ASKED.items()
        ],
        checked_in=[t["code"] for t in snap.tickets if t["checked_in_at"]],
        bookings=[{"id": b["row"]["id"], "organiser": {}} for b in BOOKINGS],
        approved=["e-b-confirmed", "e-b-expired", "e-b-late"],
    )
    return snap, ledger
