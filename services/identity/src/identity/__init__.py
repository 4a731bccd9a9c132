"""The identity service: accounts, sign-in and roles; the OpenID Connect provider whose public
keys every service verifies tokens with."""

from flask import Flask

from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from identity.bootstrap import bootstrap
    from identity.wellknown import api

    return create_service_app(bootstrap(settings), "Xứ Đông Stages — identity", [api])
