"""Field errors as a form shows them: next to their field and in the summary at the top, in the
reader's language, whether the page found them or a service's problem+json named them."""

from datetime import datetime
from typing import Any

from flask_babel import gettext

from eventbus.fields import LOCAL
from web.apis import Refusal


def N_(text: str) -> str:  # gettext's name for "translate later"
    return text


# What the services answer in English that a form of ours can meet, so that it reads in the
# reader's language; a message not here is shown with a general one.
API_MESSAGES = (
    N_("Not a valid email address."),
    N_("Missing data for required field."),
    N_("Not a valid integer."),
    N_("Not a valid datetime."),
    N_("Not a valid UUID."),
    N_("Must be greater than or equal to 1 and less than or equal to 50."),
    N_("ask for items or seats"),
)


def local_moment(value: str) -> datetime | None:
    """A day and time a form gives (a datetime-local field: no offset) in Hải Phòng's time; None
    when it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=LOCAL) if moment.tzinfo is None else moment


class FieldErrors:
    def __init__(self) -> None:
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, []).append(message)

    def take(self, refusal: Refusal, fields: dict[str, str]) -> None:
        """The service's field errors on the form's fields (`fields`: the API's name to the
        form's); what names no field of the form goes to the first one."""
        for name, said in _flatten(refusal.errors):
            self.add(fields.get(name, next(iter(fields.values()))), _translated(said))
        if not self.messages:
            self.add(
                next(iter(fields.values())), gettext("This was refused: check the form and send it again.")
            )

    def get(self, field: str) -> list[str]:
        return self.messages.get(field, [])

    def __bool__(self) -> bool:
        return bool(self.messages)


def _translated(message: str) -> str:
    return str(gettext(message)) if message in API_MESSAGES else str(gettext("This value was refused."))


def _flatten(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages ({"items": {"0": {"quantity": [...]}}}) as (top field, text)."""
    if isinstance(errors, str):
        return [(prefix, errors)]
    if isinstance(errors, list):
        return [pair for item in errors for pair in _flatten(item, prefix)]
    if isinstance(errors, dict):
        return [pair for key, value in errors.items() for pair in _flatten(value, prefix or str(key))]
    return []
