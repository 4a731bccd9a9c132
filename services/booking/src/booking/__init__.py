"""The booking service: organisers' venue bookings, events, tickets, orders, payments and check-in."""

from flask import Flask

from eventbus.http import create_service_app
from eventbus.settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from booking import db
    from booking.api import api
    from booking.bootstrap import bootstrap
    from booking.config import stripe_settings, stripe_timeout, ticket_signing_key
    from booking.payments import Payments
    from booking.ticket_api import api as ticket_api
    from eventbus.ratelimit import RateLimits, trusted_proxies

    runtime = bootstrap(settings)
    app = create_service_app(runtime, "Xứ Đông Stages — booking", [api, ticket_api])
    app.extensions["payments"] = Payments(*stripe_settings(), stripe_timeout())
    app.extensions["ticket_key"] = ticket_signing_key()
    app.extensions["rate_limits"] = RateLimits(runtime.engine, db.rate_counts, trusted_proxies())
    return app
