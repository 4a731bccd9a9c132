"""Applies the events the booking service consumes, expires unpaid bookings and holds, and pays
back owed refunds: `python -m booking.worker`."""

import logging
import threading
from collections.abc import Callable

from booking.bootstrap import bootstrap
from booking.common import settle_owed_refunds
from booking.config import stripe_settings, stripe_timeout
from booking.consumers import TOPICS, consumers
from booking.handlers import expire_overdue
from booking.orders import expire_holds, offer_returned_places
from booking.payments import Payments
from booking.unit_of_work import BookingUnitOfWork
from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime

SWEEP_EVERY = 2.0  # lapsed holds go back to sale within seconds
log = logging.getLogger(__name__)


def expire(runtime: Runtime) -> None:
    expire_holds(BookingUnitOfWork(runtime))
    offer_returned_places(BookingUnitOfWork(runtime))
    expire_overdue(BookingUnitOfWork(runtime))


def refund(runtime: Runtime, payments: Payments) -> None:
    settle_owed_refunds(BookingUnitOfWork(runtime), payments)


def every_sweep(name: str, sweep: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """A sweep in a thread of its own, so that a slow Stripe never holds back expiry."""

    def loop() -> None:
        while not stop.wait(SWEEP_EVERY):
            try:
                sweep()
            except Exception:  # the sweeper must outlive any one failure; the next sweep tries again
                log.exception("%s sweep failed", name)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread


def work(runtime: Runtime, stop: threading.Event) -> None:
    # read before any thread starts, so that a missing Stripe secret stops the worker's start
    payments = Payments(*stripe_settings(), stripe_timeout())
    sweepers = [
        every_sweep("expiry", lambda: expire(runtime), stop),
        every_sweep("refunds", lambda: refund(runtime, payments), stop),
    ]
    runtime.consumer(TOPICS, consumers(runtime)).run(stop)
    for sweeper in sweepers:
        sweeper.join()


if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, lambda stop: work(runtime, stop))
