"""Builds the notifications service's dependencies; used by the app, the relay and the worker."""

from eventbus.runtime import Runtime
from eventbus.settings import Settings
from notifications import db, events
from notifications.config import load_settings


def bootstrap(settings: Settings | None = None) -> Runtime:
    return Runtime(settings or load_settings(), db.plumbing, events.CATALOGUE)
