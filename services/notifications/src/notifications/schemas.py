"""Request and response bodies of the notifications API."""

import marshmallow as ma

from eventbus.fields import LocalTime
from notifications.config import webhook_allowance
from notifications.destinations import Refused, destination


class ContactOut(ma.Schema):
    recipient = ma.fields.String(required=True)
    email = ma.fields.String(allow_none=True)
    language = ma.fields.String(required=True)
    phone = ma.fields.String(allow_none=True)
    zalo_id = ma.fields.String(allow_none=True)
    opted_out = ma.fields.List(ma.fields.String(), required=True)


def _public_destination(url: str) -> None:
    try:
        destination(url, webhook_allowance())
    except Refused as exc:
        raise ma.ValidationError(str(exc)) from exc


class WebhookIn(ma.Schema):
    url = ma.fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=[ma.validate.Length(max=2000), _public_destination],
    )


class WebhookOut(ma.Schema):
    id = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    secret = ma.fields.String(required=True)


class InboxQuery(ma.Schema):
    recipient = ma.fields.String(load_default=None, validate=ma.validate.Length(min=1, max=300))
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Regexp(r"^[0-9]{1,9}$"))
    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))


class NotificationOut(ma.Schema):
    id = ma.fields.String(required=True)
    template = ma.fields.String(required=True)
    about = ma.fields.String(required=True)
    channel = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    subject = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    created_at = LocalTime(required=True)
    sent_at = LocalTime(allow_none=True)
    read_at = LocalTime(allow_none=True)


class Inbox(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)
