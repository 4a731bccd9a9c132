"""Builds the booking service's dependencies; used by the app, the relay and the worker."""

from booking import db, events
from booking.config import load_settings
from eventbus.runtime import Runtime
from eventbus.settings import Settings


def bootstrap(settings: Settings | None = None) -> Runtime:
    return Runtime(settings or load_settings(), db.plumbing, events.CATALOGUE)
