"""The venues service: venues, spaces, schedules and the managers' review queue."""

from flask import Flask

from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from venues.api import api
    from venues.bootstrap import bootstrap

    return create_service_app(bootstrap(settings), "Xứ Đông Stages — venues", [api])
