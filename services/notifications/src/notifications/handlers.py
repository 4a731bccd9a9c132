"""Use cases of the notifications service, one short function each."""

import secrets
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

from eventbus.auth import Principal
from eventbus.envelope import Envelope, new_event
from eventbus.ical import CalendarEvent, calendar
from notifications import config
from notifications.domain.messages import (
    ADDRESS,
    BUYER,
    DIGEST,
    ORGANISER,
    REVIEWED,
    SETTLES,
    WAITS,
    Message,
    about,
    addressed,
    digest_moment,
    guest,
    messages,
)
from notifications.render import render
from notifications.unit_of_work import NotificationsUnitOfWork

LISTED = ("start", "end", "since")


class NotFound(LookupError):
    pass


class TooManyWebhooks(Exception):
    """An organiser already has as many webhooks as one may (each costs every message a POST)."""


@dataclass(frozen=True)
class Recipient:
    id: str
    language: str
    addresses: dict[str, str]  # channel → where: email, sms, zalo, webhook (one per registration)
    opted_out: tuple[str, ...] = ()
    inbox: bool = True  # an address an event names is no one's account: nobody signs in to read it


def now() -> datetime:
    return datetime.now(UTC)


def record(uow: NotificationsUnitOfWork, event: Envelope) -> None:
    """An event becomes the messages it gives rise to, each once per person and channel, and calls
    off the reminders it makes moot. Sending is the worker's senders' job, after this commits."""
    data = event.data
    if event.type in SETTLES:
        uow.settle(about(data), SETTLES[event.type])
    if event.type == WAITS:
        uow.add_waiting(
            {k: data[k] for k in ("venue_booking_id", "managers", "start", "end")} | {"since": event.time}
        )
    elif event.type in REVIEWED:
        uow.remove_waiting(data["venue_booking_id"])
    due = []
    for message in messages(event.type, data):
        send_after = message.when(data, datetime.fromisoformat(event.time)) if message.when else now()
        if send_after is None or (message.when and send_after <= now()):
            continue  # a reminder whose moment has passed says nothing any more
        due.append((message, send_after))
    _write(uow, event, due)


def _write(uow: NotificationsUnitOfWork, event: Envelope, due: list[tuple[Message, datetime]]) -> None:
    """Each message to each person it is for: in the inbox, and by each channel they are reached on."""
    rows, source = [], asdict(event)
    for message, send_after in due:
        for person in _recipients(uow, message.audience, event.data):
            subject, body = render(message.template, person.language, event.data)
            attachment = calendar_entry(event) if message.template == "booking_confirmed" else None
            written = {"subject": subject, "body": body, "attachment": attachment, "send_after": send_after}
            inbox = [("inbox", "")] if person.inbox else []
            rows += [
                _notification(event, message, person, channel, address) | written | {"source": source}
                for channel, address in [*inbox, *_deliveries(message, person)]
            ]
    if rows:
        uow.add(rows)


def send_digests(uow: NotificationsUnitOfWork, at: datetime) -> int:
    """Each manager with requests that already waited at this morning's digest hour hears of them,
    oldest first, once a day (the worker asks every minute; until noon). The digest is an event of
    this service's own, named by manager and day: the key that keeps it from being written twice."""
    moment = digest_moment(at)
    if moment is None:
        return 0
    with uow:
        waiting = uow.waiting_at(moment)
        for manager, rows in groupby(waiting, key=lambda row: row.manager):
            listed = [
                {"venue_booking_id": r.venue_booking_id} | {k: getattr(r, k).isoformat() for k in LISTED}
                for r in rows
            ]
            data = {"managers": [manager], "day": moment.date().isoformat(), "waiting": listed}
            digest = replace(
                new_event("notifications", "notifications.digest.due", manager, data),
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"xudong:review-digest:{manager}:{data['day']}")),
                time=moment.isoformat(),
            )
            _write(uow, digest, [(DIGEST, now())])
        uow.commit()
    return len({row.manager for row in waiting})


def _deliveries(message: Message, person: Recipient) -> list[tuple[str, str]]:
    """The channels a message goes by: essential ones by email whatever the person opted out of."""
    chosen = []
    for channel, address in person.addresses.items():
        kind = channel.split(":")[0]
        if kind not in person.opted_out or (kind == "email" and message.essential):
            chosen.append((kind, address))
    return chosen


def _recipients(uow: NotificationsUnitOfWork, audience: str, data: dict[str, Any]) -> list[Recipient]:
    if audience == BUYER:
        buyer = data["buyer_id"] or guest(data["email"])
        return [Recipient(buyer, data["language"], {"email": data["email"]})]
    if audience == ADDRESS:
        channel, address = data["channel"], data["address"]
        reached = _reachable({channel: address})
        return [Recipient(addressed(channel, address), data["language"], reached, inbox=False)]
    ids = [data["organiser_id"]] if audience == ORGANISER else list(data.get("managers", []))
    people = []
    for person in ids:
        contact = uow.contact(person)
        kept = {
            channel: getattr(contact, field)
            for channel, field in (("email", "email"), ("sms", "phone"), ("zalo", "zalo_id"))
            if contact is not None and getattr(contact, field)
        }
        addresses = _reachable(kept) | {f"webhook:{hook}": hook for hook in uow.webhooks_of(person)}
        language = (data.get("language") if audience == ORGANISER else None) or (
            contact.language if contact else "vi"
        )
        people.append(Recipient(person, language, addresses, tuple(contact.opted_out) if contact else ()))
    return people


def _reachable(addresses: dict[str, str]) -> dict[str, str]:
    """The addresses on the channels this service can send by: email, and each gateway configured."""
    gateways = config.gateways()
    return {channel: to for channel, to in addresses.items() if channel == "email" or channel in gateways}


def _notification(
    event: Envelope, message: Message, person: Recipient, channel: str, address: str
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "event_id": event.id,
        "event_type": event.type,
        "recipient": person.id,
        "template": message.template,
        "about": about(event.data),
        "channel": channel,
        "address": address,
        "language": person.language,
        "essential": message.essential,
        "status": "inbox" if channel == "inbox" else "pending",
    }


def calendar_entry(event: Envelope) -> str:
    """The booking as an iCalendar event, for the organiser's calendar."""
    data = event.data
    start, end = (datetime.fromisoformat(data[field]) for field in ("start", "end"))
    booked = CalendarEvent(data["venue_booking_id"], start, end, data["title"], "CONFIRMED")
    return calendar("notifications", [booked], datetime.fromisoformat(event.time))


# --- contacts and the inbox --------------------------------------------------------------------
def register_webhook(uow: NotificationsUnitOfWork, principal: Principal, url: str) -> dict[str, Any]:
    """An organiser's system, told of what concerns them; the secret signs each POST (shown once)."""
    hook = {
        "id": str(uuid.uuid4()),
        "recipient": principal.sub,
        "url": url,
        "secret": secrets.token_urlsafe(32),
    }
    cap = config.webhooks_per_organiser()
    with uow:
        uow.lock_webhooks_of(principal.sub)  # two registrations at once count one after the other
        if len(uow.webhooks_of(principal.sub)) >= cap:
            raise TooManyWebhooks(f"an organiser may register at most {cap} webhooks")
        uow.add_webhook(hook)
        uow.commit()
    return hook


def get_contact(uow: NotificationsUnitOfWork, principal: Principal) -> dict[str, Any]:
    with uow:
        contact = uow.contact(principal.sub)
    if contact is None:
        raise NotFound(principal.sub)
    return dict(contact._mapping)


def inbox(
    uow: NotificationsUnitOfWork, principal: Principal, recipient: str | None, offset: int, limit: int
) -> list[dict[str, Any]]:
    """Newest first: one's own, or anyone's for staff."""
    whose = recipient if principal.role == "staff" and recipient else principal.sub
    with uow:
        return [dict(r._mapping) for r in uow.inbox(whose, offset, limit)]


def mark_read(uow: NotificationsUnitOfWork, principal: Principal, notification_id: str) -> dict[str, Any]:
    with uow:
        row = uow.mark_read(notification_id, None if principal.role == "staff" else principal.sub, now())
        if row is None:
            raise NotFound(notification_id)
        uow.commit()
        return dict(row._mapping)


# --- people as the identity service knows them -------------------------------------------------
def follow_account(uow: NotificationsUnitOfWork, event: Envelope) -> None:
    """A person's contact details as their account now has them: the email only once its owner
    proved it (no message goes to an address someone else may have typed), otherwise none."""
    user = event.data
    uow.save_contact(
        user["user_id"],
        email=user["email"] if user["email_verified"] else None,
        phone=user["phone"],
        zalo_id=user["zalo_id"],
        language=user["language"],
        opted_out=user["opted_out"],
    )


def erase_person(uow: NotificationsUnitOfWork, event: Envelope) -> None:
    """Nothing of a person stays: their contact details and webhooks go, and every message to them,
    by their id or an address of theirs (a guest's orders, a challenge), keeps only what it was
    and when (for the counts) and is never sent if it had not been; dead letters that name them
    lose what they carried."""
    data = event.data
    emails, phones = data["emails"], data["phones"]
    uow.forget_contact(data["user_id"])
    uow.anonymise_messages(data["user_id"], aliases(emails, phones), [*emails, *phones])
    uow.blank_dead_letters([data["user_id"], *emails, *phones])


def own_data(uow: NotificationsUnitOfWork, principal: Principal) -> dict[str, Any]:
    """What this service holds of the signed-in person, found as their erasure would find it:
    under their id, and under the addresses their contact holds (an email only once proved)."""
    with uow:
        contact = uow.contact(principal.sub)
        emails = [contact.email] if contact is not None and contact.email else []
        phones = [contact.phone] if contact is not None and contact.phone else []
        return uow.own_data(principal.sub, aliases(emails, phones), [*emails, *phones])


def aliases(emails: list[str], phones: list[str]) -> list[str]:
    """The other recipient ids a person's messages go under: as a guest, or by an address alone."""
    found = [guest(e) for e in emails] + [addressed("email", e) for e in emails]
    return found + [addressed("sms", p) for p in phones]
