"""The notifications HTTP API: one's contact details, and the inbox with the delivery log."""

from typing import Any

from flask import current_app, jsonify

from eventbus.auth import ROLES, Principal
from eventbus.http import Api, EmptyBody, Problem
from eventbus.runtime import Runtime
from notifications import handlers
from notifications.schemas import (
    ContactOut,
    Inbox,
    InboxQuery,
    NotificationOut,
    WebhookIn,
    WebhookOut,
)
from notifications.unit_of_work import NotificationsUnitOfWork

api = Api("notifications")
ANYONE = ("organiser", "venue_manager", "staff")


def _uow() -> NotificationsUnitOfWork:
    runtime: Runtime = current_app.extensions["runtime"]
    return NotificationsUnitOfWork(runtime)


@api.route("/v1/webhooks", "POST", body=WebhookIn, roles=("organiser",), responses={201: WebhookOut})
def register_webhook(body: dict[str, Any], principal: Principal) -> Any:
    """Have your own system told of what concerns you: each message is POSTed to `url`, signed
    with the secret shown in the answer (header X-Xudong-Signature: t=<unix time>,v1=<HMAC-SHA256
    of "<t>.<body>">), and retried until it answers 2xx within 5 s; redirects are not followed.
    `url` must lead to a public address of the internet; an organiser may have 10 (by default)."""
    try:
        hook = handlers.register_webhook(_uow(), principal, body["url"])
    except handlers.TooManyWebhooks as exc:
        raise Problem(422, "Invalid request", "Too many webhooks.", {"url": [str(exc)]}) from exc
    return jsonify(WebhookOut().dump(hook)), 201


@api.route("/v1/contacts/me", "GET", roles=ANYONE, responses={200: ContactOut, 404: None})
def get_contact(principal: Principal) -> Any:
    """Your contact details as we keep them: as your account at the identity service has them
    (change them there, PATCH /v1/me), the email once you proved it. `opted_out` lists the channels
    that bring you nothing but what is essential (tickets, payments and refunds still come by email)."""
    try:
        return jsonify(ContactOut().dump(handlers.get_contact(_uow(), principal)))
    except handlers.NotFound as exc:
        detail = "We have not heard of your account yet: it is the identity service's to tell us."
        raise Problem(404, "Not Found", detail) from exc


@api.route("/v1/notifications", "GET", query=InboxQuery, roles=ROLES, responses={200: Inbox})
def inbox(query: dict[str, Any], principal: Principal) -> Any:
    """Your notifications, newest first (staff: anyone's, with `recipient`)."""
    offset = int(query["cursor"] or 0)
    items = handlers.inbox(_uow(), principal, query["recipient"], offset, query["limit"] + 1)
    more = len(items) > query["limit"]
    next_cursor = str(offset + query["limit"]) if more else None
    return jsonify(Inbox().dump({"items": items[: query["limit"]], "next_cursor": next_cursor}))


@api.route(
    "/v1/notifications/<uuid:notification_id>/read",
    "POST",
    body=EmptyBody,
    roles=ROLES,  # a buyer with an account has their orders' news in the inbox too
    responses={200: NotificationOut, 404: None},
)
def mark_read(notification_id: Any, body: dict[str, Any], principal: Principal) -> Any:
    """Mark one of your notifications read."""
    try:
        return jsonify(NotificationOut().dump(handlers.mark_read(_uow(), principal, str(notification_id))))
    except handlers.NotFound as exc:
        raise Problem(404, "Not Found", "No such notification of yours.") from exc


@api.route("/v1/me/data/notifications", "GET", roles=ROLES, responses={200: None})
def my_data(principal: Principal) -> Any:
    """What this service holds of you, as JSON: your contact details, your webhooks and every
    message to you (the identity service's GET /v1/me/data gathers it with the rest)."""
    return jsonify(handlers.own_data(_uow(), principal))
