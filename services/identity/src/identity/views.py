"""What the provider's pages and endpoints share: the blueprint (not in /openapi.json: these speak
OAuth's and HTML's language, and the discovery document describes them), the unit of work, pages
in the reader's language (gettext catalogues in translations/, by Flask-Babel), and the forms'
CSRF token."""

import secrets
from collections.abc import Callable
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from flask import Blueprint, current_app, g, render_template, request, session
from flask_babel import get_locale, gettext

from identity.unit_of_work import IdentityUnitOfWork

provider = Blueprint("provider", __name__)


def new_uow() -> IdentityUnitOfWork:
    return IdentityUnitOfWork(current_app.extensions["runtime"])


LANGUAGES = ("vi", "en")


def language() -> str:
    """The page's language (Flask-Babel's locale selector): the one the client asks for
    (`ui_locales`), else the browser's, else Vietnamese."""
    asked = [tag.split("-")[0] for tag in request.values.get("ui_locales", "").split()]
    chosen = next((tag for tag in asked if tag in LANGUAGES), None)
    return chosen or request.accept_languages.best_match(LANGUAGES) or "vi"


def _(text: str, **values: str) -> str:
    """The text in the page's language (gettext, through Flask-Babel), its %(name)s filled in."""
    return str(gettext(text, **values))


def page(template: str, title: str, status: int = 200, **values: Any) -> tuple[str, int]:
    return render_template(template, title=title, lang=str(get_locale()), **values), status


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


def forged() -> bool:
    """A form not sent from the page this session was given (a cross-site request)."""
    sent = request.form.get("csrf_token", "")
    return "csrf" not in session or not secrets.compare_digest(sent, session["csrf"])


def server() -> AuthorizationServer:
    found: AuthorizationServer = current_app.extensions["oauth"]
    return found


def in_transaction(call: Callable[[], Any]) -> Any:
    """An Authlib call in one unit of work, committed whatever it answers: what it wrote is meant
    either way (a used code gone, a reused refresh token's family revoked)."""
    with new_uow() as uow:
        g.uow = uow
        answer = call()
        uow.commit()
        return answer
