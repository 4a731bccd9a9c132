"""The pages the links in emails open: verify the address, choose a new password. Each shows a
button or a form first, so that a mail scanner fetching the link does not use it up. Without a
link, the password page asks for one."""

from typing import Any

import marshmallow as ma
from flask import request

from identity import accounts
from identity.domain.challenges import Outcome
from identity.views import _, csrf_token, forged, new_uow, page, provider


def link_problem(outcome: Outcome) -> str:
    """What a link that did not work tells the person to do next."""
    if outcome is Outcome.EXPIRED:
        return _(
            "This link has expired. Ask for a new one: sign up again with the same email, or ask"
            " for a password reset again."
        )
    if outcome is Outcome.USED:
        return _("This link was used already. Sign in, or ask for a new link.")
    return _("This link is not right. Open the link in the email again, whole.")


def _token() -> str:
    return request.values.get("token", "")[:100]


@provider.route("/verify-email", methods=["GET", "POST"])
def verify_email() -> Any:
    if request.method == "GET":
        return page("verify_email.html", _("Confirm your email"), token=_token())
    outcome = accounts.verify_email(new_uow(), _token(), accounts.now())
    if outcome is Outcome.ACCEPTED:
        return page(
            "verify_email.html",
            _("Confirm your email"),
            done=_("Your email is confirmed. You can sign in now."),
        )
    return page("verify_email.html", _("Confirm your email"), 400, problem=link_problem(outcome))


def _ask_for_a_link() -> Any:
    """Without a link's token: the form that asks for one, and the same answer for any address."""

    def form(status: int = 200, **values: Any) -> Any:
        return page(
            "reset_password.html",
            _("Choose a new password"),
            status,
            ask=True,
            csrf_token=csrf_token(),
            **values,
        )

    if request.method == "GET":
        return form()
    if forged():
        return form(400, problem=_("The form expired. Please try again."))
    email = request.form.get("email", "").strip()[:254]
    try:
        ma.validate.Email()(email)
    except ma.ValidationError:
        return form(422, email=email, problem=_("Enter a valid email address, such as name@example.vn."))
    accounts.request_reset(new_uow(), email, accounts.now())
    return page(
        "reset_password.html",
        _("Choose a new password"),
        done=_("If this address has an account, we sent it the link. Check your inbox (one link a minute)."),
    )


@provider.route("/reset-password", methods=["GET", "POST"])
def reset_password() -> Any:
    if not _token():
        return _ask_for_a_link()
    if request.method == "GET":
        return page("reset_password.html", _("Choose a new password"), token=_token())
    outcome = accounts.reset_password(
        new_uow(), _token(), request.form.get("password", "")[:200], accounts.now()
    )
    if outcome is Outcome.ACCEPTED:
        return page(
            "reset_password.html",
            _("Choose a new password"),
            done=_("Your password is changed. Sign in with the new one."),
        )
    if isinstance(outcome, list):  # the link is good, the password will not do
        return page(
            "reset_password.html", _("Choose a new password"), 422, token=_token(), problem=" ".join(outcome)
        )
    return page(
        "reset_password.html",
        _("Choose a new password"),
        400,
        problem=link_problem(outcome),
    )
