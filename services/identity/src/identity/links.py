"""The pages the links in emails open: verify the address, choose a new password. Each shows a
button or a form first, so that a mail scanner fetching the link does not use it up. Without a
link, the password page asks for one."""

from typing import Any

import marshmallow as ma
from flask import request

from identity import accounts
from identity.domain.challenges import Outcome
from identity.text import say
from identity.views import csrf_token, forged, new_uow, page, provider

LINK = {Outcome.WRONG: "link_wrong", Outcome.EXPIRED: "link_expired", Outcome.USED: "link_used"}


def _token() -> str:
    return request.values.get("token", "")[:100]


@provider.route("/verify-email", methods=["GET", "POST"])
def verify_email() -> Any:
    if request.method == "GET":
        return page("verify_email.html", "verify_title", token=_token())
    outcome = accounts.verify_email(new_uow(), _token(), accounts.now())
    if outcome is Outcome.ACCEPTED:
        return page("verify_email.html", "verify_title", done=say("verified"))
    return page("verify_email.html", "verify_title", 400, problem=say(LINK.get(outcome, "link_wrong")))


def _ask_for_a_link() -> Any:
    """Without a link's token: the form that asks for one, and the same answer for any address."""

    def form(status: int = 200, **values: Any) -> Any:
        return page("reset_password.html", "reset_title", status, ask=True, csrf_token=csrf_token(), **values)

    if request.method == "GET":
        return form()
    if forged():
        return form(400, problem=say("expired_form"))
    email = request.form.get("email", "").strip()[:254]
    try:
        ma.validate.Email()(email)
    except ma.ValidationError:
        return form(422, email=email, problem=say("bad_email"))
    accounts.request_reset(new_uow(), email, accounts.now())
    return page("reset_password.html", "reset_title", done=say("reset_sent"))


@provider.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Any:
    if not _token():
        return _ask_for_a_link()
    if request.method == "GET":
        return page("reset_password.html", "reset_title", token=_token())
    outcome = accounts.reset_password(
        new_uow(), _token(), request.form.get("password", "")[:200], accounts.now()
    )
    if outcome is Outcome.ACCEPTED:
        return page("reset_password.html", "reset_title", done=say("password_changed"))
    if isinstance(outcome, list):  # the link is good, the password will not do
        return page("reset_password.html", "reset_title", 422, token=_token(), problem=" ".join(outcome))
    return page("reset_password.html", "reset_title", 400, problem=say(LINK.get(outcome, "link_wrong")))
