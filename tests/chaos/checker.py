"""What a chaos run must leave behind. `violations` is a pure function of the snapshot the run
left (tests/chaos/snapshot.py) and of what the workload was told, and names every broken promise,
one line each; the promises themselves (what each object's history published, who hears of what,
what each payment owed) are written here from the product's rules, not taken from the services."""

import json
import math
from collections import Counter, defaultdict
from datetime import datetime
from fractions import Fraction
from typing import Any

from tests.chaos.snapshot import GROUPS, Snapshot
from tests.chaos.workload import Ledger
from xudong.processes import ROOT

# The event catalogue: each type's topic, as docs/asyncapi.json publishes it.
ASYNCAPI = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
CATALOGUE = {
    ASYNCAPI["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]["name"]: channel["address"]
    for channel in ASYNCAPI["channels"].values()
    for ref in channel["messages"].values()
}
LIVE_ORDERS = ("held", "paid")
HOLDING_ENTRIES = ("held", "approved", "confirmed", "blackout")
LIVE_BOOKINGS = ("held", "approved", "awaiting_payment", "confirmed")
ORGANISER, MANAGERS, BUYER = "organiser", "managers", "buyer"
# Who must have an email of each event, at once: event type → (template, audience).
TOLD = {
    **{
        f"booking.venue_booking.{state}": (template, ORGANISER)
        for state, template in (
            ("requested", "request_received"),
            ("held", "request_held"),
            ("conflicted", "request_conflicted"),
            ("approved", "request_approved"),
            ("rejected", "request_rejected"),
            ("awaiting_payment", "payment_due"),
            ("confirmed", "booking_confirmed"),
            ("expired", "booking_expired"),
            ("cancelled", "booking_cancelled"),
            ("refunded", "booking_refunded"),
        )
    },
    "venues.slot.held": ("review_requested", MANAGERS),
    "venues.slot.released": ("schedule_released", MANAGERS),
    "booking.tickets.issued": ("order_confirmation", BUYER),
    "booking.order.cancelled": ("order_cancelled", BUYER),
    "booking.order.refunded": ("order_refunded", BUYER),
}
# Reminders, sent when their moment comes unless something settled them first: to whom.
REMINDERS = {"hold_expiring": BUYER, "event_reminder": BUYER, "payment_reminder": ORGANISER}
AUDIENCE = {template: audience for template, audience in TOLD.values()} | REMINDERS
# How a payment that came after its order or booking ended, or its event, is explained.
IN_FULL, EVENT_ENDED, PAID_LATE = "refunded in full", "paid for an event", "paid after the hold ran out"


def violations(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every broken promise in the snapshot, one line each; an empty list when all hold."""
    return [
        *outbox_drained(snap),
        *changes_published(snap),
        *events_applied(snap),
        *told_and_done(snap, ledger),
        *unanswered(ledger),
        *tickets_once(snap),
        *slots_once(snap),
        *emails_to_each_person(snap),
        *charged_what_was_owed(snap, ledger),
        *refunded_what_the_policy_gives(snap, ledger),
        *no_overlap(snap),
        *no_oversell(snap),
        *caught_up(snap),
    ]


def outbox_drained(snap: Snapshot) -> list[str]:
    return [f"the {s} outbox still holds {n} unpublished events" for s, n in snap.outbox.items() if n]


# --- events: each step of each object's history, on its topic, once ------------------------------
def in_full(row: dict[str, Any]) -> bool:
    """A payment that found its order or booking already ended, given back whole."""
    return (row["reason"] or "").endswith(IN_FULL)


def order_history(order: dict[str, Any]) -> list[str]:
    """The steps an order in this state went through, from its state, its payment and its reason."""
    reason, status = order["reason"] or "", order["status"]
    steps = ["held"]
    if status == "paid":
        steps += ["expired"] * reason.startswith(PAID_LATE) + ["paid"]
    elif status == "cancelled" and order["paid_amount"] and not in_full(order):
        steps += ["paid", "cancelled"]
    elif status in ("expired", "cancelled"):
        steps += [status] + ["refunded"] * (in_full(order) and not reason.startswith(EVENT_ENDED))
    kinds = [f"booking.order.{s}" for s in steps]
    return kinds + ["booking.tickets.issued"] * ("booking.order.paid" in kinds)


BOOKING_PATH = ["requested", "held", "approved", "awaiting_payment", "confirmed"]
SLOT_STEPS = {"held": "held", "approved": "approved", "conflicted": "conflicted", "rejected": "rejected"}


def booking_history(booking: dict[str, Any]) -> list[str]:
    """The saga's steps for a venue booking in this state, the booking's and its slot's."""
    status = booking["status"]
    if status in BOOKING_PATH:
        steps = BOOKING_PATH[: BOOKING_PATH.index(status) + 1]
    else:  # an ending: after a conflict, a rejection, a wait for payment; a cancellation at any step
        before = {"conflicted": ["requested"], "rejected": ["requested", "held"], "expired": BOOKING_PATH[:4]}
        steps = [*before.get(status, ["requested"]), status]
    if status == "confirmed" and booking["fee_amount"] == 0:
        steps.remove("awaiting_payment")
    steps += ["refunded"] * in_full(booking)
    slot = [f"venues.slot.{SLOT_STEPS[s]}" for s in steps if s in SLOT_STEPS]
    slot += ["venues.slot.released"] * (status in ("expired", "cancelled"))
    return [f"booking.venue_booking.{s}" for s in steps] + slot


def expected_events(snap: Snapshot) -> set[tuple[str, str]]:
    """(type, subject) of every event the objects' histories imply."""
    wanted = {(kind, o["id"]) for o in snap.orders for kind in order_history(o)}
    wanted |= {(kind, b["id"]) for b in snap.bookings for kind in booking_history(b)}
    return wanted | {("booking.ticket.checked_in", t["code"]) for t in snap.tickets if t["checked_in_at"]}


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
        if len(ids) > 1
    ]
    misplaced = [
        f"{e['type']} {e['id']} was published on {e['topic']}, not on {CATALOGUE.get(e['type'], 'any topic')}"
        for e in {e["id"] + e["topic"]: e for e in snap.events}.values()
        if CATALOGUE.get(e["type"]) != e["topic"]
    ]
    return missing + doubled + misplaced


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


# --- what the actors were told ------------------------------------------------------------------
def told_and_done(snap: Snapshot, ledger: Ledger) -> list[str]:
    """What a 2xx answer promised is in the databases."""
    orders = {o["id"]: o for o in snap.orders}
    status = {o["id"]: o["status"] for o in snap.orders}
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
            f"order {c['id']} was answered cancelled but is {status.get(c['id'], 'gone')}"
            for c in ledger.cancelled
            if c["status"] == 200 and status.get(c["id"]) != "cancelled"
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


def unanswered(ledger: Ledger) -> list[str]:
    """Every request an actor sent got an answer, however long the faults made it wait."""
    return [f"{request} never got an answer" for request in ledger.failures]


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


# --- emails: each person hears what they should, once, and nobody else does -----------------------
def addresses(snap: Snapshot, audience: str, subject: str) -> set[str]:
    """Where the people an event about `subject` concerns read their email."""
    if audience == BUYER:
        return {o["email"] for o in snap.orders if o["id"] == subject}
    if audience == ORGANISER:
        people = [b["organiser_id"] for b in snap.bookings if b["id"] == subject]
    else:
        people = snap.managers
    return {snap.contacts[p] for p in people if p in snap.contacts}


def emails_to_each_person(snap: Snapshot) -> list[str]:
    """MailDev holds one email for each person of each event that concerns them, with the subject
    written for it; reminders due and not called off went out; and no email went elsewhere. A
    second copy of the same message (its Message-ID) is no violation only when the notification
    counts an attempt whose outcome was never known: a sender killed between the server's
    acceptance and writing it down cannot tell, and sends again rather than lose the email."""
    events = {e["id"]: e for e in snap.events}
    emails = [n for n in snap.notifications if n["channel"] == "email"]
    delivered = Counter((m["notification"], tuple(m["to"]), m["subject"]) for m in snap.mails)
    found = []
    for event in events.values():
        if event["type"] in TOLD:
            template, audience = TOLD[event["type"]]
            for address in sorted(addresses(snap, audience, event["subject"])):
                notes = [
                    n
                    for n in emails
                    if (n["event_id"], n["template"], n["address"]) == (event["id"], template, address)
                ]
                got = sum(delivered[(n["id"], (address,), n["subject"])] for n in notes)
                if not 1 <= got <= 1 + sum(n["unconfirmed"] for n in notes):
                    found.append(f"{address} had {got} {template} emails of {event['type']} {event['id']}")
    for n in emails:
        answered = events.get(n["event_id"])
        if answered is None or n["template"] not in AUDIENCE:
            found.append(f"email notification {n['id']} ({n['template']}) answers no event of the run")
        elif n["address"] not in addresses(snap, AUDIENCE[n["template"]], answered["subject"]):
            found.append(
                f"{n['template']} of {answered['type']} {answered['id']} was written to {n['address']}"
            )
        if n["due"] and n["status"] not in ("sent", "cancelled"):
            found.append(f"email notification {n['id']} ({n['template']}) is {n['status']}")
    known = {n["id"]: n for n in emails}
    for mail in snap.mails:
        note = known.get(mail["notification"])
        if note is None:
            found.append(f"an email to {mail['to']} ({mail['subject']!r}) comes from no notification")
        elif (mail["to"], mail["subject"]) != ([note["address"]], note["subject"]):
            found.append(
                f"notification {note['id']} ({note['template']}) reached {mail['to']} as {mail['subject']!r}"
            )
        elif (
            note["template"] in REMINDERS
            and delivered[(note["id"], (note["address"],), note["subject"])] > 1 + note["unconfirmed"]
        ):
            found.append(f"{note['address']} had the {note['template']} reminder {note['id']} more than once")
    return sorted(set(found), key=found.index)


# --- money: charged what was owed, refunded what the policy gives -------------------------------
def owed_for_order(snap: Snapshot, order_id: str) -> int:
    price = {t["id"]: t["price"] for t in snap.ticket_types}
    return sum(i["quantity"] * price[i["ticket_type_id"]] for i in snap.items if i["order_id"] == order_id)


def owed_for_booking(snap: Snapshot, booking: dict[str, Any]) -> int:
    hours: int = math.ceil((booking["ends_at"] - booking["starts_at"]).total_seconds() / 3600)
    return hours * snap.rates[booking["space_id"]]


def charged_what_was_owed(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Each order's total is its places at their prices, and a paid order paid it; a venue
    booking's fee is its hours at the space's rate, and a confirmed one paid it; Stripe took
    exactly what each record says was paid, and nothing for anything the run does not know."""
    found = []
    for order in snap.orders:
        owed = owed_for_order(snap, order["id"])
        if order["total"] != owed:
            found.append(f"order {order['id']} totals {order['total']}, its places cost {owed}")
        if (order["status"] == "paid" or order["paid_amount"]) and order["paid_amount"] != owed:
            found.append(f"order {order['id']} is paid with {order['paid_amount']} of the {owed} it owed")
    for booking in snap.bookings:
        owed = owed_for_booking(snap, booking)
        if booking["fee_amount"] != owed:
            found.append(
                f"venue booking {booking['id']} has a fee of {booking['fee_amount']}, it owes {owed}"
            )
        if (booking["status"] == "confirmed" or booking["paid_amount"]) and booking["paid_amount"] != owed:
            found.append(
                f"venue booking {booking['id']} is confirmed with {booking['paid_amount']} of {owed} paid"
            )
    for row in snap.orders + snap.bookings:
        taken = snap.charges.get(row["payment_intent_id"], 0) if row["payment_intent_id"] else 0
        if taken != row["paid_amount"]:
            found.append(f"{row['id']}: Stripe took {taken}, the record says {row['paid_amount']} was paid")
    known = {r["payment_intent_id"] for r in snap.orders + snap.bookings}
    found += [
        f"payment {i} on Stripe belongs to no order or booking" for i in ledger.intents_paid if i not in known
    ]
    return found


def policy_share(policy: list[dict[str, Any]], starts_at: datetime, asked: datetime) -> Fraction:
    """The share the policy gives back for a cancellation asked at `asked`, by days of notice."""
    notice = (starts_at - asked).total_seconds() / 86400
    steps = sorted(policy, key=lambda s: -s["notice_days"])
    return next((Fraction(str(s["refund_share"])) for s in steps if notice >= s["notice_days"]), Fraction(0))


def refund_owed(snap: Snapshot, ledger: Ledger, row: dict[str, Any]) -> set[int]:
    """What a row may owe back: all of a payment that came too late, the policy's share of one a
    buyer asked to cancel (at a moment a request was sent or answered: either side of a step is
    right), nothing otherwise."""
    if in_full(row):
        return {row["paid_amount"]}
    asked = [c for c in ledger.cancelled if c["id"] == row["id"]]
    sale = next((s for s in snap.sales if s["id"] == row.get("event_id")), None)
    if not asked or sale is None:
        return {0}
    moments = [c[when] for c in asked for when in ("asked", "answered")]
    return {
        math.floor(row["paid_amount"] * policy_share(sale["refund_policy"], sale["starts_at"], at))
        for at in moments
    }


def refunded_what_the_policy_gives(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every refund is what its cause gives, recorded as paid back in full, and Stripe paid back
    exactly that, once."""
    found = []
    for row in snap.orders + snap.bookings:
        owed = refund_owed(snap, ledger, row)
        if row["refund_due"] not in owed:
            found.append(f"{row['id']}: owes back {row['refund_due']}, the policy gives {sorted(owed)}")
        back = snap.refunds.get(row["payment_intent_id"], []) if row["payment_intent_id"] else []
        if sum(back) != row["refunded_amount"] or row["refunded_amount"] != row["refund_due"]:
            found.append(
                f"{row['id']}: owed back {row['refund_due']}, recorded {row['refunded_amount']},"
                f" Stripe refunded {back}"
            )
    return found


# --- places: no overlap, no oversell ------------------------------------------------------------
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
    held: Counter[str] = Counter()
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
