"""Request and response bodies of the identity API."""

import marshmallow as ma

from eventbus.fields import Line, LocalTime
from identity.domain.passwords import MAX_LENGTH, problems
from identity.events import KINDS, LANGUAGES, ROLES

PRIVACY_NOTICE = "2026-12-01"  # the version of the privacy notice a sign-up accepts
PHONE = r"^\+?[0-9]{8,15}$"


class OrganisationIn(ma.Schema):
    name = Line(required=True, validate=ma.validate.Length(min=1, max=200))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    tax_code = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Regexp(r"^[0-9]{10}(-[0-9]{3})?$")
    )
    address = Line(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=300))
    contact = Line(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=200))


class SignUp(ma.Schema):
    """A new account. With an `organisation`, an organiser's; without, a buyer's."""

    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=MAX_LENGTH), load_only=True)
    display_name = Line(required=True, validate=ma.validate.Length(min=1, max=100))
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(LANGUAGES))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Regexp(PHONE))
    privacy_notice = ma.fields.String(
        required=True,
        validate=ma.validate.Equal(
            PRIVACY_NOTICE, error=f"Read and accept the privacy notice, version {PRIVACY_NOTICE}."
        ),
    )
    organisation = ma.fields.Nested(OrganisationIn, load_default=None, allow_none=True)

    @ma.validates_schema
    def strong_password(self, data: dict[str, object], **_: object) -> None:
        found = problems(str(data["password"]), str(data["email"]))
        if found:
            raise ma.ValidationError(found, "password")


class Accepted(ma.Schema):
    detail = ma.fields.String(required=True)


class OrganisationOut(OrganisationIn):
    pass


class Me(ma.Schema):
    """An account as its owner, or staff, see it."""

    user_id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    email_verified = ma.fields.Boolean(required=True)
    display_name = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    phone = ma.fields.String(allow_none=True)
    role = ma.fields.String(required=True)
    venues = ma.fields.List(ma.fields.String(), required=True)
    zalo_id = ma.fields.String(allow_none=True)
    opted_out = ma.fields.List(ma.fields.String(), required=True)
    organisation = ma.fields.Nested(OrganisationOut, allow_none=True)
    suspended = ma.fields.Boolean(required=True)
    created_at = LocalTime(required=True)


class EmailOnly(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))


class CodeRequest(EmailOnly):
    channel = ma.fields.String(load_default="email", validate=ma.validate.OneOf(("email", "sms")))


class ProfileIn(ma.Schema):
    """What a person changes of their own account (the email stays: it is the proven address)."""

    display_name = Line(validate=ma.validate.Length(min=1, max=100))
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Regexp(PHONE))
    zalo_id = Line(allow_none=True, validate=ma.validate.Length(min=1, max=64))
    opted_out = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(("email", "sms", "zalo"))))


class RoleIn(ma.Schema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class UserQuery(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))


class SignInOut(ma.Schema):
    at = LocalTime(required=True)
    client = ma.fields.String(required=True)
    method = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True)


class SignInList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SignInOut), required=True)
