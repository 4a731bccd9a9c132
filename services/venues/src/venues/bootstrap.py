"""Builds the venues service's dependencies; used by the app, the relay and the worker."""

from eventbus.runtime import Runtime
from eventbus.settings import Settings
from venues import db, events
from venues.config import load_settings
from venues.unit_of_work import VenuesUnitOfWork


def bootstrap(settings: Settings | None = None) -> Runtime:
    return Runtime(settings or load_settings(), db.plumbing, events.CATALOGUE)


def unit_of_work(runtime: Runtime) -> VenuesUnitOfWork:
    return VenuesUnitOfWork(runtime)
