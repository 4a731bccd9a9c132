"""Applies the events the booking service consumes, and expires unpaid bookings:
`python -m booking.worker`."""

import logging
import threading

from booking.bootstrap import bootstrap
from booking.common import settle_owed_refunds
from booking.config import stripe_settings
from booking.consumers import TOPICS, consumers
from booking.handlers import expire_overdue
from booking.orders import expire_holds, offer_returned_places
from booking.payments import Payments
from booking.unit_of_work import BookingUnitOfWork
from eventbus.process import run_until_signalled
from eventbus.runtime import Runtime

SWEEP_EVERY = 2.0  # lapsed holds go back to sale within seconds
log = logging.getLogger(__name__)


def sweep(runtime: Runtime, payments: Payments, stop: threading.Event) -> None:
    while not stop.wait(SWEEP_EVERY):
        try:
            expire_holds(BookingUnitOfWork(runtime))
            offer_returned_places(BookingUnitOfWork(runtime))
            expire_overdue(BookingUnitOfWork(runtime))
            settle_owed_refunds(BookingUnitOfWork(runtime), payments)
        except Exception:  # the sweeper must outlive any one failure; the next sweep tries again
            log.exception("expiry sweep failed")


def work(runtime: Runtime, stop: threading.Event) -> None:
    # read before any thread starts, so that a missing Stripe secret stops the worker's start
    payments = Payments(*stripe_settings())
    sweeper = threading.Thread(target=sweep, args=(runtime, payments, stop), daemon=True)
    sweeper.start()
    runtime.consumer(TOPICS, consumers(runtime)).run(stop)
    sweeper.join()


if __name__ == "__main__":
    runtime = bootstrap()
    run_until_signalled(runtime.settings, lambda stop: work(runtime, stop))
