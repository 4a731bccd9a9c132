"""Which events the venues worker reacts to: event type → handler."""

from collections.abc import Callable

import sqlalchemy as sa

from eventbus.consumer import Handler
from eventbus.envelope import Envelope
from eventbus.runtime import Runtime
from venues import handlers
from venues.unit_of_work import VenuesUnitOfWork

TOPICS = ["booking.events"]


def consumers(runtime: Runtime) -> dict[str, Handler]:
    def joined(use_case: Callable[[VenuesUnitOfWork, Envelope], None]) -> Handler:
        """The use case runs inside the consumer loop's transaction."""

        def handle(conn: sa.Connection, event: Envelope) -> None:
            with VenuesUnitOfWork(runtime, conn) as uow:
                use_case(uow, event)

        return handle

    return {
        "booking.venue_booking.requested": joined(handlers.place_requested_slot),
        "booking.venue_booking.cancelled": joined(handlers.release_slot),
        "booking.venue_booking.expired": joined(handlers.release_slot),
        "booking.venue_booking.confirmed": joined(handlers.confirm_slot),
    }
