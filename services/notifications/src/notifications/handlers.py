"""Use cases of the notifications service, one short function each."""

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from eventbus.auth import Principal
from eventbus.envelope import Envelope
from notifications.domain.messages import BUYER, MESSAGES, ORGANISER, SETTLES, Message, about
from notifications.render import render
from notifications.unit_of_work import NotificationsUnitOfWork


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Recipient:
    id: str
    address: str | None
    language: str
    opted_out: tuple[str, ...] = ()


def now() -> datetime:
    return datetime.now(UTC)


def record(uow: NotificationsUnitOfWork, event: Envelope) -> None:
    """An event becomes the messages it gives rise to, each once per person, and calls off the
    reminders it makes moot. Sending is the worker's sender's job, after this commits."""
    data = event.data
    if event.type in SETTLES:
        uow.settle(about(data), SETTLES[event.type])
    for message in MESSAGES.get(event.type, []):
        send_after = message.when(data) if message.when else now()
        if send_after is None or (message.when and send_after <= now()):
            continue  # a reminder whose moment has passed says nothing any more
        for person in _recipients(uow, message.audience, data):
            uow.add(_notification(event, message, person, send_after))


def _recipients(uow: NotificationsUnitOfWork, audience: str, data: dict[str, Any]) -> list[Recipient]:
    if audience == BUYER:
        buyer = data["buyer_id"] or f"guest:{data['email']}"
        return [Recipient(buyer, data["email"], data["language"])]
    ids = [data["organiser_id"]] if audience == ORGANISER else list(data.get("managers", []))
    people = []
    for person in ids:
        contact = uow.contact(person)
        language = data.get("language") if audience == ORGANISER else None
        people.append(
            Recipient(
                person,
                contact.email if contact else None,
                language or (contact.language if contact else "vi"),
                tuple(contact.opted_out) if contact else (),
            )
        )
    return people


def _notification(
    event: Envelope, message: Message, person: Recipient, send_after: datetime
) -> dict[str, Any]:
    subject, body = render(message.template, person.language, event.data)
    by_email = person.address is not None and (message.essential or "email" not in person.opted_out)
    return {
        "id": str(uuid.uuid4()),
        "event_id": event.id,
        "event_type": event.type,
        "recipient": person.id,
        "template": message.template,
        "about": about(event.data),
        "channel": "email" if by_email else "inbox",
        "address": person.address if by_email else None,
        "language": person.language,
        "subject": subject,
        "body": body,
        "essential": message.essential,
        "status": "pending" if by_email else "inbox",
        "send_after": send_after,
        "source": asdict(event),
    }


# --- contacts and the inbox --------------------------------------------------------------------
def save_contact(uow: NotificationsUnitOfWork, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    with uow:
        uow.save_contact(principal.sub, **body)
        uow.commit()
        return dict(uow.contact(principal.sub)._mapping)


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
