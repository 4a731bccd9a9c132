"""Identity's events as its outbox and relay send them on `identity.events`, for the tests of the
services that follow them; and a person's contact details, as the notifications service holds them
once it has heard of their account."""

from typing import Any

import requests

from conftest import eventually, token
from eventbus.envelope import Envelope, new_event
from eventbus.kafka import producer
from identity.events import CATALOGUE, TOPIC
from xudong.stack import Stack


def publish(stack: Stack, event_type: str, subject: str, data: dict[str, Any]) -> Envelope:
    """An identity event as its outbox and relay send it: checked against its schema, keyed by its
    subject, the event id in a header."""
    schema = CATALOGUE[event_type].schema
    payload = schema.dump(data)
    assert schema.validate(payload) == {}, schema.validate(payload)
    event = new_event("identity", event_type, subject, payload)
    sending = producer(stack.kafka_bootstrap)
    try:
        headers = [("event_id", event.id.encode())]
        sending.send(TOPIC, key=subject.encode(), value=event.to_bytes(), headers=headers).get(timeout=10)
    finally:
        sending.close()
    return event


def account(user_id: str, email: str, verified: bool, **given: Any) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "email": email,
        "email_verified": verified,
        "display_name": "Người Thử",
        "language": "en",
        "phone": None,
        "zalo_id": None,
        "opted_out": [],
        "role": "organiser",
        "organisation": None,
        "suspended": False,
    } | given


def contact_of(stack: Stack, user_id: str) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{stack.ports.notifications}/v1/contacts/me",
        headers=token("organiser", user_id),
        timeout=10,
    )


def give_contact(stack: Stack, user_id: str, email: str, **given: Any) -> None:
    """A verified account of `user_id` (organiser, Vietnamese, unless `given` says otherwise), once
    the notifications service holds its contact details as the account has them."""
    data = account(user_id, email, verified=True, **{"language": "vi"} | given)
    publish(stack, "identity.user.verified", user_id, data)
    wanted = {k: data[k] for k in ("email", "language", "phone", "zalo_id", "opted_out")}

    def held() -> bool:
        """notifications holds the account's contact details"""
        answer = contact_of(stack, user_id)
        return answer.status_code == 200 and {k: answer.json()[k] for k in wanted} == wanted

    eventually(held)
