"""The booking service: organisers' venue bookings, events, tickets, orders, payments and check-in."""

from flask import Flask

from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from booking.api import api
    from booking.bootstrap import bootstrap

    return create_service_app(bootstrap(settings), "Xứ Đông Stages — booking", [api])
