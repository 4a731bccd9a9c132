"""The web front: the pages of the public, organisers, venue managers and staff, rendered on the
server from the other services' APIs; sessions on the server, no data of its own."""

from pathlib import Path

from cachelib.file import FileSystemCache
from flask import Flask, request, session
from flask_babel import Babel
from flask_session import Session
from flask_wtf.csrf import CSRFProtect

from eventbus.logs import configure_logging
from eventbus.observability import install_observability
from web.config import WebSettings

LANGUAGES = ("vi", "en")


def language() -> str:
    """Vietnamese first; English once the person switches (kept in the session), or for the
    widget when the site that frames it asks (`lang`: it has no session)."""
    chosen = request.args.get("lang") if request.endpoint == "public.embed" else session.get("language")
    return chosen if chosen in LANGUAGES else "vi"


def create_app(settings: WebSettings | None = None) -> Flask:
    from web import (
        account,
        checkout,
        events,
        formatting,
        manager,
        organiser,
        pages,
        plots,
        profile,
        public,
        sales,
        schedule,
        seats,
        security,
        staff,
    )
    from web.names import names

    settings = settings or WebSettings.from_env()
    configure_logging("web")
    app = Flask(__name__)
    app.extensions["web_settings"] = settings
    app.secret_key = settings.secret_key
    app.config.update(
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(str(settings.session_dir), threshold=0, mode=0o600),
        SESSION_COOKIE_NAME="xudong_web",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.development,
        WTF_CSRF_TIME_LIMIT=None,  # a token lasts as long as its session
        WTF_CSRF_SSL_STRICT=False,  # the origin is checked for every request (security.same_origin)
    )
    Session(app)
    CSRFProtect(app)
    Babel(
        app,
        locale_selector=language,
        default_locale="vi",
        default_timezone="Asia/Ho_Chi_Minh",
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    install_observability(app, "web", lambda: {})
    security.install(app, settings)
    formatting.install(app)
    account.install(app, settings)
    blueprints = (public.public, checkout.buying, seats.seating, organiser.organiser, events.events)
    people = (sales.sales, manager.manager, schedule.schedule, plots.plots, profile.profile, staff.staff)
    for blueprint in (pages.errors, *blueprints, *people):
        app.register_blueprint(blueprint)
    app.context_processor(lambda: {"me": account.person(), **names()})
    return app
