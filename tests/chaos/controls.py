"""One defect for each branch of the checker, put into a snapshot on purpose: each control breaks
a copy of the snapshot as the named defect would, and returns the violations the checker must
report for it, and no others. They run on the hand-written world in every `make test`, and on
the chaos run's own snapshot (those whose object the run has) in CI."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.chaos.snapshot import Snapshot
from tests.chaos.workload import Ledger

Control = Callable[[Snapshot, Ledger], list[str]]


def paid_order(snap: Snapshot, seated: bool = False) -> dict[str, Any]:
    """A paid order (of seats, or of standing places none of whose tickets went through the door)."""
    checked = {t["order_id"] for t in snap.tickets if t["checked_in_at"]}
    return next(
        o
        for o in snap.orders
        if o["status"] == "paid" and bool(o["seat_ids"]) == seated and (seated or o["id"] not in checked)
    )


def event_of(snap: Snapshot, kind: str, subject: str) -> dict[str, Any]:
    return next(e for e in snap.events if (e["type"], e["subject"]) == (kind, subject))


def email_of(snap: Snapshot, kind: str, subject: str, template: str) -> dict[str, Any]:
    event = event_of(snap, kind, subject)
    return next(
        n
        for n in snap.notifications
        if (n["event_id"], n["template"], n["channel"]) == (event["id"], template, "email")
    )


def lost_in_relay(snap: Snapshot, kind: str, subject: str) -> str:
    """An event the relay never published: on no topic, so applied nowhere and told to no one."""
    event = event_of(snap, kind, subject)
    snap.events = [e for e in snap.events if e["id"] != event["id"]]
    notes = {n["id"] for n in snap.notifications if n["event_id"] == event["id"]}
    snap.notifications = [n for n in snap.notifications if n["id"] not in notes]
    snap.mails = [m for m in snap.mails if m["notification"] not in notes]
    return f"{kind} about {subject} never reached its topic"


def a_full_outbox(snap: Snapshot, _: Ledger) -> list[str]:
    snap.outbox["booking"] = 2
    return ["the booking outbox still holds 2 unpublished events"]


def a_lost_payment_event(snap: Snapshot, _: Ledger) -> list[str]:
    return [lost_in_relay(snap, "booking.order.paid", paid_order(snap)["id"])]


def a_lost_earlier_step(snap: Snapshot, _: Ledger) -> list[str]:
    """The slot's hold, an event of a step the booking has long left."""
    booking = next(b for b in snap.bookings if b["status"] == "confirmed")
    return [lost_in_relay(snap, "venues.slot.held", booking["id"])]


def a_lost_late_refund(snap: Snapshot, _: Ledger) -> list[str]:
    order = next(o for o in snap.orders if o["status"] == "expired" and o["paid_amount"])
    return [lost_in_relay(snap, "booking.order.refunded", order["id"])]


def an_event_doubled_under_two_ids(snap: Snapshot, _: Ledger) -> list[str]:
    """As a relay that wrote a new envelope for each try would; every consumer applied both."""
    event = event_of(snap, "booking.order.paid", paid_order(snap)["id"])
    snap.events.append(event | {"id": event["id"] + "-again"})
    for _group, seen in snap.processed.items():
        if event["id"] in seen:
            seen.add(event["id"] + "-again")
    return [f"booking.order.paid about {event['subject']} was published as 2 different events"]


def an_event_on_the_wrong_topic(snap: Snapshot, _: Ledger) -> list[str]:
    event = event_of(snap, "booking.order.paid", paid_order(snap)["id"])
    for e in snap.events:
        if e["id"] == event["id"]:
            e["topic"] = "venues.events"
    return [f"booking.order.paid {event['id']} was published on venues.events, not on booking.events"]


def an_event_skipped(snap: Snapshot, _: Ledger) -> list[str]:
    """As a consumer whose dedupe dropped a new event for an old one would."""
    event = event_of(snap, "booking.tickets.issued", paid_order(snap)["id"])
    snap.processed["notifications"].discard(event["id"])
    return [
        f"booking.tickets.issued {event['id']} about {event['subject']} was never applied by notifications"
    ]


def an_order_answered_but_not_stored(_: Snapshot, ledger: Ledger) -> list[str]:
    ledger.orders.append({"id": "o-ghost", "token": "t", "email": "ghost@example.vn"})
    return ["order o-ghost was answered 201 but is not stored"]


def a_cancellation_answered_but_not_made(snap: Snapshot, ledger: Ledger) -> list[str]:
    order = next(o for o in snap.orders if o["status"] == "held")
    at = snap.sales[0]["starts_at"] - timedelta(days=30)
    ledger.cancelled.append({"id": order["id"], "asked": at, "answered": at, "status": 200})
    return [f"order {order['id']} was answered cancelled but is held"]


def a_check_in_answered_but_not_made(snap: Snapshot, ledger: Ledger) -> list[str]:
    ticket = next(t for t in snap.tickets if t["status"] == "valid" and not t["checked_in_at"])
    ledger.checked_in.append(ticket["code"])
    return [f"ticket {ticket['code']} was let in but is not checked in"]


def a_request_accepted_but_not_stored(_: Snapshot, ledger: Ledger) -> list[str]:
    ledger.bookings.append({"id": "b-ghost", "organiser": {}})
    return ["venue booking b-ghost was accepted but is not stored"]


def an_approval_answered_but_not_made(snap: Snapshot, ledger: Ledger) -> list[str]:
    entry = next(e for e in snap.entries if e["status"] == "held")
    ledger.approved.append(entry["id"])
    return [f"schedule entry {entry['id']} was approved but is held"]


def a_request_unanswered(_: Snapshot, ledger: Ledger) -> list[str]:
    ledger.failures.append("POST /v1/orders")
    return ["POST /v1/orders never got an answer"]


def places(order: dict[str, Any]) -> int:
    return int(order["quantity"])


def a_lost_ticket(snap: Snapshot, _: Ledger) -> list[str]:
    order = paid_order(snap)
    snap.tickets.remove(next(t for t in snap.tickets if t["order_id"] == order["id"]))
    n = places(order)
    return [f"order {order['id']} (paid, {n} places) has {n - 1} valid tickets of {n - 1}"]


def a_doubled_ticket(snap: Snapshot, _: Ledger) -> list[str]:
    order = paid_order(snap)
    twin = next(t for t in snap.tickets if t["order_id"] == order["id"])
    snap.tickets.append(twin | {"code": "twin-" + twin["code"]})
    n = places(order)
    return [f"order {order['id']} (paid, {n} places) has {n + 1} valid tickets of {n + 1}"]


def a_slot_held_twice(snap: Snapshot, _: Ledger) -> list[str]:
    entry = next(e for e in snap.entries if e["status"] == "held")
    later = {k: entry[k] + timedelta(days=300) for k in ("starts_at", "blocked_until")}
    snap.entries.append(entry | later | {"id": "twin-" + entry["id"]})
    booking = entry["venue_booking_id"]
    return [f"venue booking {booking} (held) has 2 schedule entries"]


def a_lost_email(snap: Snapshot, _: Ledger) -> list[str]:
    note = email_of(snap, "booking.tickets.issued", paid_order(snap)["id"], "order_confirmation")
    snap.mails = [m for m in snap.mails if m["notification"] != note["id"]]
    return [f"{note['address']} had 0 order_confirmation emails of booking.tickets.issued {note['event_id']}"]


def a_doubled_email(snap: Snapshot, _: Ledger) -> list[str]:
    note = email_of(snap, "booking.tickets.issued", paid_order(snap)["id"], "order_confirmation")
    snap.mails.append(next(m for m in snap.mails if m["notification"] == note["id"]))
    return [f"{note['address']} had 2 order_confirmation emails of booking.tickets.issued {note['event_id']}"]


def more_copies_than_unsure_attempts(snap: Snapshot, _: Ledger) -> list[str]:
    """A sender killed after the server took the message sends it again (one unconfirmed
    attempt): the second copy is explained, a third is not."""
    note = email_of(snap, "booking.tickets.issued", paid_order(snap)["id"], "order_confirmation")
    note["unconfirmed"] = 1
    mail = next(m for m in snap.mails if m["notification"] == note["id"])
    snap.mails += [mail, mail]
    return [f"{note['address']} had 3 order_confirmation emails of booking.tickets.issued {note['event_id']}"]


def an_email_to_a_stranger(snap: Snapshot, _: Ledger) -> list[str]:
    """A confirmation written to someone else than the buyer, and sent there."""
    note = email_of(snap, "booking.tickets.issued", paid_order(snap)["id"], "order_confirmation")
    buyer, note["address"] = note["address"], "stranger@example.vn"
    for mail in snap.mails:
        if mail["notification"] == note["id"]:
            mail["to"] = ["stranger@example.vn"]
    event = note["event_id"]
    return [
        f"{buyer} had 0 order_confirmation emails of booking.tickets.issued {event}",
        f"order_confirmation of booking.tickets.issued {event} was written to stranger@example.vn",
    ]


def never_told(snap: Snapshot, kind: str, subject: str, template: str) -> list[str]:
    """A person's email that was never written."""
    note = email_of(snap, kind, subject, template)
    snap.notifications.remove(note)
    snap.mails = [m for m in snap.mails if m["notification"] != note["id"]]
    return [f"{note['address']} had 0 {note['template']} emails of {kind} {note['event_id']}"]


def an_organiser_never_told(snap: Snapshot, _: Ledger) -> list[str]:
    booking = next(b for b in snap.bookings if b["status"] == "confirmed")
    return never_told(snap, "booking.venue_booking.requested", booking["id"], "request_received")


def a_manager_never_told(snap: Snapshot, _: Ledger) -> list[str]:
    booking = next(b for b in snap.bookings if b["status"] == "confirmed")
    return never_told(snap, "venues.slot.held", booking["id"], "review_requested")


def an_email_with_another_subject(snap: Snapshot, _: Ledger) -> list[str]:
    note = email_of(snap, "booking.tickets.issued", paid_order(snap)["id"], "order_confirmation")
    for mail in snap.mails:
        if mail["notification"] == note["id"]:
            mail["subject"] = "Something else"
    return [
        f"{note['address']} had 0 order_confirmation emails of booking.tickets.issued {note['event_id']}",
        f"notification {note['id']} (order_confirmation) reached {[note['address']]} as 'Something else'",
    ]


def an_email_of_no_notification(snap: Snapshot, _: Ledger) -> list[str]:
    to = [paid_order(snap)["email"]]
    snap.mails.append({"notification": "", "to": to, "subject": "Hello"})
    return [f"an email to {to} ('Hello') comes from no notification"]


def a_due_reminder(snap: Snapshot, _: Ledger) -> list[str]:
    note = next(
        n for n in snap.notifications if n["template"] == "hold_expiring" and n["status"] == "pending"
    )
    note["due"] = True
    return [f"email notification {note['id']} (hold_expiring) is pending"]


def a_reminder_sent_twice(snap: Snapshot, _: Ledger) -> list[str]:
    note = next(
        n for n in snap.notifications if n["template"] == "hold_expiring" and n["status"] == "pending"
    )
    note["status"] = "sent"
    mail = {"notification": note["id"], "to": [note["address"]], "subject": note["subject"]}
    snap.mails += [mail, dict(mail)]
    return [f"{note['address']} had the hold_expiring reminder {note['id']} more than once"]


def an_underpaid_order(snap: Snapshot, _: Ledger) -> list[str]:
    """Charged and recorded as 1 ₫."""
    order = paid_order(snap)
    order["paid_amount"] = snap.charges[order["payment_intent_id"]] = 1
    return [f"order {order['id']} is paid with 1 of the {order['total']} it owed"]


def a_wrong_total(snap: Snapshot, _: Ledger) -> list[str]:
    order = next(o for o in snap.orders if o["status"] == "held")
    owed, order["total"] = order["total"], 1
    return [f"order {order['id']} totals 1, its places cost {owed}"]


def a_booking_confirmed_unpaid(snap: Snapshot, _: Ledger) -> list[str]:
    booking = next(b for b in snap.bookings if b["status"] == "confirmed" and b["paid_amount"])
    booking["paid_amount"] = snap.charges[booking["payment_intent_id"]] = 0
    return [f"venue booking {booking['id']} is confirmed with 0 of {booking['fee_amount']} paid"]


def a_wrong_fee(snap: Snapshot, _: Ledger) -> list[str]:
    booking = next(b for b in snap.bookings if b["status"] == "held")
    owed, booking["fee_amount"] = booking["fee_amount"], 1
    return [f"venue booking {booking['id']} has a fee of 1, it owes {owed}"]


def a_payment_taken_and_not_recorded(snap: Snapshot, _: Ledger) -> list[str]:
    """A webhook answered 200 whose payment never reached the order."""
    order = next(o for o in snap.orders if o["status"] == "held")
    order["payment_intent_id"] = "pi-unrecorded"
    snap.charges["pi-unrecorded"] = order["total"]
    return [f"{order['id']}: Stripe took {order['total']}, the record says 0 was paid"]


def a_payment_of_nothing(_: Snapshot, ledger: Ledger) -> list[str]:
    ledger.intents_paid.append("pi-ghost")
    return ["payment pi-ghost on Stripe belongs to no order or booking"]


def cancelled_paid(snap: Snapshot) -> dict[str, Any]:
    return next(o for o in snap.orders if o["status"] == "cancelled" and o["refunded_amount"])


def a_refund_beyond_the_policy(snap: Snapshot, ledger: Ledger) -> list[str]:
    """The whole payment back where the policy gives a share (or a share where it gives all)."""
    order = next(
        o for o in snap.orders if o["status"] == "cancelled" and 0 < o["refund_due"] < o["paid_amount"]
    )
    gives = order["refund_due"]
    order["refund_due"] = order["refunded_amount"] = order["paid_amount"]
    snap.refunds[order["payment_intent_id"]] = [order["paid_amount"]]
    return [f"{order['id']}: owes back {order['paid_amount']}, the policy gives [{gives}]"]


def a_lost_refund(snap: Snapshot, _: Ledger) -> list[str]:
    order = cancelled_paid(snap)
    snap.refunds[order["payment_intent_id"]] = []
    due = order["refund_due"]
    return [f"{order['id']}: owed back {due}, recorded {order['refunded_amount']}, Stripe refunded []"]


def a_doubled_refund(snap: Snapshot, _: Ledger) -> list[str]:
    order = cancelled_paid(snap)
    back = snap.refunds[order["payment_intent_id"]]
    back.append(back[0])
    due, recorded = order["refund_due"], order["refunded_amount"]
    return [f"{order['id']}: owed back {due}, recorded {recorded}, Stripe refunded {back}"]


def an_oversold_type(snap: Snapshot, _: Ledger) -> list[str]:
    order = paid_order(snap)
    kind = next(t for t in snap.tickets if t["order_id"] == order["id"])["ticket_type_id"]
    sold = sum(1 for t in snap.tickets if t["ticket_type_id"] == kind and t["status"] == "valid")
    ticket_type = next(t for t in snap.ticket_types if t["id"] == kind)
    ticket_type["quota"] = sold - 1
    return [f"ticket type {kind}: {sold} sold of {sold - 1}"]


def a_broken_counter(snap: Snapshot, _: Ledger) -> list[str]:
    ticket_type = next(t for t in snap.ticket_types if t["kind"] != "seated")
    held = ticket_type["taken"]
    ticket_type["taken"] += 1
    return [f"ticket type {ticket_type['id']}: counter {held + 1}, live orders hold {held}"]


def a_seat_in_two_orders(snap: Snapshot, _: Ledger) -> list[str]:
    seat = paid_order(snap, seated=True)["seat_ids"][0]
    next(o for o in snap.orders if o["status"] == "held" and not o["seat_ids"])["seat_ids"] = [seat]
    return [f"seat {seat} is in 2 live orders"]


def a_seat_on_two_tickets(snap: Snapshot, _: Ledger) -> list[str]:
    seat = paid_order(snap, seated=True)["seat_ids"][0]
    standing = paid_order(snap)
    next(t for t in snap.tickets if t["order_id"] == standing["id"])["seat_id"] = seat
    return [f"seat {seat} is on 2 valid tickets"]


def a_slot_double_booked(snap: Snapshot, _: Ledger) -> list[str]:
    """As a venues consumer that held a slot without its exclusion constraint would."""
    taken = next(e for e in snap.entries if e["status"] == "confirmed")
    snap.entries.append(taken | {"id": "twin-" + taken["id"], "status": "held", "venue_booking_id": None})
    return [f"entries {taken['id']} and twin-{taken['id']} overlap on space {taken['space_id']}"]


def two_bookings_at_once(snap: Snapshot, _: Ledger) -> list[str]:
    first = next(b for b in snap.bookings if b["status"] == "confirmed")
    second = next(b for b in snap.bookings if b["status"] == "held")
    length = second["ends_at"] - second["starts_at"]
    second["starts_at"], second["ends_at"] = first["starts_at"], first["starts_at"] + length
    return [f"venue bookings {first['id']} and {second['id']} overlap on space {first['space_id']}"]


def a_lagging_group(snap: Snapshot, _: Ledger) -> list[str]:
    snap.lag["booking"] = 5
    return ["consumer group booking lags 5 messages behind"]


CONTROLS: list[Control] = [
    a_full_outbox,
    a_lost_payment_event,
    a_lost_earlier_step,
    a_lost_late_refund,
    an_event_doubled_under_two_ids,
    an_event_on_the_wrong_topic,
    an_event_skipped,
    an_order_answered_but_not_stored,
    a_cancellation_answered_but_not_made,
    a_check_in_answered_but_not_made,
    a_request_accepted_but_not_stored,
    an_approval_answered_but_not_made,
    a_request_unanswered,
    a_lost_ticket,
    a_doubled_ticket,
    a_slot_held_twice,
    a_lost_email,
    a_doubled_email,
    more_copies_than_unsure_attempts,
    an_email_to_a_stranger,
    an_organiser_never_told,
    a_manager_never_told,
    an_email_with_another_subject,
    an_email_of_no_notification,
    a_due_reminder,
    a_reminder_sent_twice,
    an_underpaid_order,
    a_wrong_total,
    a_booking_confirmed_unpaid,
    a_wrong_fee,
    a_payment_taken_and_not_recorded,
    a_payment_of_nothing,
    a_refund_beyond_the_policy,
    a_lost_refund,
    a_doubled_refund,
    an_oversold_type,
    a_broken_counter,
    a_seat_in_two_orders,
    a_seat_on_two_tickets,
    a_slot_double_booked,
    two_bookings_at_once,
    a_lagging_group,
]
