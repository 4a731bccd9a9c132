"""The events the identity service publishes on `identity.events`, each with the schema it must
pass. A user event carries the whole account as it now is, so that a read model needs no other."""

import marshmallow as ma

from eventbus.outbox import EventType

TOPIC = "identity.events"
LANGUAGES = ("vi", "en")
ROLES = ("buyer", "organiser", "venue_manager", "staff")
KINDS = ("troupe", "company", "school", "cooperative", "ngo", "individual")


class Organisation(ma.Schema):
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    tax_code = ma.fields.String(allow_none=True, required=True)
    address = ma.fields.String(allow_none=True, required=True)
    contact = ma.fields.String(allow_none=True, required=True)


class User(ma.Schema):
    user_id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    email_verified = ma.fields.Boolean(required=True)
    display_name = ma.fields.String(required=True)
    language = ma.fields.String(required=True, validate=ma.validate.OneOf(LANGUAGES))
    phone = ma.fields.String(allow_none=True, required=True)
    zalo_id = ma.fields.String(allow_none=True, required=True)
    opted_out = ma.fields.List(ma.fields.String(), required=True)  # channels: email, sms, zalo
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    organisation = ma.fields.Nested(Organisation, allow_none=True, required=True)
    suspended = ma.fields.Boolean(required=True)


class Erased(ma.Schema):
    """Everything the platform holds of this person goes: what any service keyed by `user_id`, and
    what it holds under the person's addresses (guest orders placed before they registered)."""

    user_id = ma.fields.String(required=True)
    emails = ma.fields.List(ma.fields.String(), required=True)
    phones = ma.fields.List(ma.fields.String(), required=True)


class Manager(ma.Schema):
    user_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)


PURPOSES = ("verify_email", "reset_password", "sign_in_code", "already_registered")


class Challenge(ma.Schema):
    """A message only the owner of `address` may read: a link (`url`) or a code (`code`) that proves
    it, to send as it is by `channel` in `language`. `already_registered` tells an address that
    signed up again that it has an account (the answer to the sign-up said nothing of it)."""

    purpose = ma.fields.String(required=True, validate=ma.validate.OneOf(PURPOSES))
    channel = ma.fields.String(required=True, validate=ma.validate.OneOf(("email", "sms")))
    address = ma.fields.String(required=True)
    language = ma.fields.String(required=True, validate=ma.validate.OneOf(LANGUAGES))
    display_name = ma.fields.String(allow_none=True, required=True)
    url = ma.fields.String(allow_none=True, required=True)
    code = ma.fields.String(allow_none=True, required=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True, required=True)


USER_CHANGES = ("registered", "verified", "profile_changed", "suspended")
CATALOGUE: dict[str, EventType] = {
    **{f"identity.user.{change}": EventType(TOPIC, User()) for change in USER_CHANGES},
    "identity.user.erased": EventType(TOPIC, Erased()),
    "identity.manager.assigned": EventType(TOPIC, Manager()),
    "identity.manager.unassigned": EventType(TOPIC, Manager()),
    "identity.challenge.issued": EventType(TOPIC, Challenge()),
}
