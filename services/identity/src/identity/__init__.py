"""The identity service: accounts, sign-in and roles; the OpenID Connect provider whose public
keys every service verifies tokens with."""

from pathlib import Path

from flask import Flask
from flask_babel import Babel

from eventbus.auth import Verifier
from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from identity import api as _routes  # noqa: F401  (its routes join the Api of wellknown)
    from identity import config, endpoints, links, oidc, pages  # noqa: F401  (their routes join the blueprint)
    from identity.bootstrap import bootstrap
    from identity.views import language, provider
    from identity.wellknown import PublishedKeys, api

    runtime = bootstrap(settings)
    app = create_service_app(runtime, "Xứ Đông Stages — identity", [api])
    app.extensions["verifier"] = Verifier(
        PublishedKeys(runtime), runtime.settings.issuer, runtime.settings.development
    )
    app.secret_key = config.session_secret()
    config.key_encryption_key()  # read at start: a missing secret stops the start, not a sign-in
    app.config.update(
        SESSION_COOKIE_NAME="xudong_identity",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not runtime.settings.development,
    )
    app.register_blueprint(provider)
    Babel(
        app,
        locale_selector=language,
        default_locale="vi",
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    oidc.install(app)
    return app
