"""Builds the identity service's dependencies; used by the app, the relay and the worker."""

from eventbus.runtime import Runtime
from eventbus.settings import Settings
from identity import db, events
from identity.config import load_settings


def bootstrap(settings: Settings | None = None) -> Runtime:
    return Runtime(settings or load_settings(), db.plumbing, events.CATALOGUE)
