"""The notifications service: tells organisers, managers and buyers what concerns them, on their channel."""

from flask import Flask

from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from notifications.api import api
    from notifications.bootstrap import bootstrap

    return create_service_app(bootstrap(settings), "Xứ Đông Stages — notifications", [api])
