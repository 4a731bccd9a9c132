"""Rendering a page in the person's language, and the pages of our own for what went wrong: no
stack trace, no service's raw answer, always what to do next."""

import logging
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.apis import Refusal, Unavailable

log = logging.getLogger(__name__)
errors = Blueprint("errors", __name__)


def _(text: str, **values: Any) -> str:
    """The text in the page's language (gettext, through Flask-Babel), its %(name)s filled in."""
    return str(gettext(text, **values))


def page(template: str, title: str, status: int = 200, **values: Any) -> tuple[str, int]:
    return render_template(template, title=title, lang=str(get_locale()), **values), status


def trouble(status: int, title: str, advice: str) -> tuple[str, int]:
    return page("trouble.html", title, status, advice=advice)


@errors.app_errorhandler(CSRFError)
def forged(_error: CSRFError) -> tuple[str, int]:
    return trouble(403, _("This form has expired"), _("Go back, reload the page and send the form again."))


@errors.app_errorhandler(Unavailable)
def unavailable(error: Unavailable) -> tuple[str, int]:
    log.warning("service did not answer: %s", error.service)
    return trouble(
        503,
        _("We could not answer just now"),
        _("Part of the platform is not answering. Try again in a minute."),
    )


@errors.app_errorhandler(Refusal)
def refused(error: Refusal) -> ResponseReturnValue:
    if error.status == 401:  # not signed in, or the sign-in ended: sign in, then back here
        return redirect(url_for("account.sign_in", next=request.path if request.method == "GET" else None))
    if error.status == 404:
        return not_found(error)
    return trouble(
        error.status, _("This cannot be done"), _("Go back and try again, or start from the home page.")
    )


@errors.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return trouble(404, _("Page not found"), _("The address may be mistyped, or the page was removed."))


@errors.app_errorhandler(403)
def forbidden(_error: Exception) -> tuple[str, int]:
    return trouble(
        403, _("Not allowed"), _("This page is not for your account. Sign in with another one, or go back.")
    )


@errors.app_errorhandler(HTTPException)
def other(error: HTTPException) -> tuple[str, int]:
    return trouble(
        error.code or 400, _("This cannot be done"), _("Go back and try again, or start from the home page.")
    )


@errors.app_errorhandler(Exception)
def unexpected(_error: Exception) -> tuple[str, int]:
    log.exception("unhandled error")
    return trouble(
        500, _("Something went wrong on our side"), _("It is not your fault. Try again in a minute.")
    )
