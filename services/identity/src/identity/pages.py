"""The authorization endpoint's pages: who asks signs in here (a session of the provider's own),
by password or by a code sent to them, then with their second factor (enrolled on the way when it
is required and missing), and is sent back to the client with a code. Each step is a form posted
back to /authorize with the client's request in the query string; the step the person reached is
kept in the signed session cookie (`pending`: the first factor was right)."""

import math
import time
import uuid
from typing import Any

import segno
from authlib.oauth2 import OAuth2Error
from flask import request, session

from eventbus.fields import LOCAL
from eventbus.ratelimit import client_address, trusted_proxies
from identity import oidc, signin
from identity.account import Account
from identity.accounts import now
from identity.views import _, csrf_token, forged, in_transaction, new_uow, page, provider, server


@provider.route("/authorize", methods=["GET", "POST"])
def authorize() -> Any:
    def grant_code() -> Any:
        try:
            grant = server().get_consent_grant(end_user=None)
        except OAuth2Error as error:  # no redirect to a client not known to be the one asking
            return page(
                "page.html",
                _("Sign in"),
                400,
                problem=_(
                    "This sign-in request is not valid: %(detail)s"
                    " Go back to the previous page and try again.",
                    detail=error.get_error_description(),
                ),
            )
        if request.method == "POST":
            if forged():
                return form("sign_in.html", 403, _("The form expired. Please try again."))
            answer = STEPS.get(request.form.get("step", ""), restart)()
            if answer is not None:
                return answer
        user = signed_in()
        if user is None:
            return form("sign_in.html")
        return server().create_authorization_response(grant_user=user, grant=grant)

    return in_transaction(grant_code)


def form(template: str, status: int = 200, problem: str | None = None, **values: Any) -> Any:
    """A step's page, its form posted back here with the client's request."""
    action = f"{request.path}?{request.query_string.decode()}"
    email = request.form.get("email", "")[:254]
    return page(
        template,
        _("Sign in"),
        status,
        problem=problem,
        action=action,
        email=email,
        csrf_token=csrf_token(),
        **values,
    )


def signed_in() -> Account | None:
    if "user_id" not in session:
        return None
    with new_uow() as uow:
        return oidc.active(uow.account(session["user_id"]))


def client() -> str:
    return client_address(trusted_proxies())


def refusal(result: signin.SignIn) -> tuple[int, str]:
    """The status of a refused attempt, and what the page tells the person to do next."""
    if result.refusal == "locked":
        until = result.wait_until.astimezone(LOCAL).strftime("%H:%M:%S %d/%m/%Y") if result.wait_until else ""
        return 429, _("Too many failed sign-ins. Try again after %(until)s (Vietnam time).", until=until)
    if result.refusal == "unverified":
        return 403, _("Confirm your email first: open the link we sent to your inbox.")
    if result.refusal == "suspended":
        return 403, _("This account is suspended. Contact the Department of Culture to learn more.")
    if result.refusal == "wrong_password":
        return 401, _(
            "The email or password is not right. Try again, or reset your password if you forgot it."
        )
    return 401, _("The code is not right or has expired. Enter it again, or ask for a new one.")


def refused(result: signin.SignIn, template: str = "sign_in.html", **values: Any) -> Any:
    body, status = form(template, *refusal(result), **values)
    seconds = math.ceil(result.wait_until.timestamp() - time.time()) if result.wait_until else 0
    return body, status, {"Retry-After": str(max(1, seconds))} if result.wait_until else {}


def first_factor(result: signin.SignIn) -> Any:
    """After a right password or code: the second factor, if the person has or needs one."""
    if result.account is None:
        return refused(result)
    account = result.account
    session.clear()
    next_step = signin.second_step(new_uow(), account)
    if next_step is None:
        return complete(account)
    session["pending"] = account.id
    if next_step == "verify":
        return form("second_factor.html")
    uri = signin.begin_enrollment(new_uow(), account)
    return enrollment(uri)


def enrollment(uri: str, status: int = 200, problem: str | None = None) -> Any:
    qr = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app"))
    secret = uri.split("secret=")[1].split("&")[0]
    return form("enroll.html", status, problem, qr=qr, secret=secret, uri=uri)


def complete(account: Account) -> None:
    """Signed in: the client's request goes on to its code."""
    session.clear()
    session.update(user_id=account.id, session_id=str(uuid.uuid4()), auth_time=int(time.time()))


def pending() -> Account | None:
    if "pending" not in session:
        return None
    with new_uow() as uow:
        return oidc.active(uow.account(session["pending"]))


def by_password() -> Any:
    email = request.form.get("email", "")[:254]
    return first_factor(
        signin.with_password(new_uow(), email, request.form.get("password", ""), client(), now())
    )


def send_code() -> Any:
    """A code by email or SMS; the page says the same whether or not the email has an account."""
    channel = "sms" if request.form.get("channel") == "sms" else "email"
    signin.request_code(new_uow(), request.form.get("email", "")[:254], channel, now())
    return form(
        "code.html",
        notice=_("If this email has an account, we just sent a 6-digit code, good for 5 minutes."),
    )


def by_code() -> Any:
    email = request.form.get("email", "")[:254]
    result = signin.with_code(new_uow(), email, request.form.get("code", "")[:20], client(), now())
    return first_factor(result) if result.account else refused(result, "code.html")


def by_second_factor() -> Any:
    account = pending()
    if account is None:
        return restart()
    result = signin.with_second_factor(new_uow(), account, request.form.get("code", "")[:40], client(), now())
    if result.account is None:
        return refused(result, "second_factor.html")
    return complete(result.account)


def enroll() -> Any:
    account = pending()
    if account is None:
        return restart()
    codes = signin.confirm_enrollment(new_uow(), account, request.form.get("code", "")[:20], client(), now())
    if isinstance(codes, signin.SignIn):
        uri = signin.begin_enrollment(new_uow(), account)
        return enrollment(uri, *refusal(codes))
    session["enrolled"] = True
    return form("recovery_codes.html", codes=codes)


def after_enrollment() -> Any:
    account = pending()
    if account is None or not session.get("enrolled"):
        return restart()
    return complete(account)


def restart() -> Any:
    session.clear()
    return form("sign_in.html")


STEPS = {
    "password": by_password,
    "send_code": send_code,
    "code": by_code,
    "second_factor": by_second_factor,
    "enroll": enroll,
    "continue": after_enrollment,
}
