"""Which events the booking worker reacts to: event type → handler."""

from collections.abc import Callable

import sqlalchemy as sa

from booking import handlers
from booking.unit_of_work import BookingUnitOfWork
from eventbus.consumer import Handler
from eventbus.envelope import Envelope
from eventbus.runtime import Runtime

TOPICS = ["venues.events"]


def consumers(runtime: Runtime) -> dict[str, Handler]:
    def joined(use_case: Callable[[BookingUnitOfWork, Envelope], None]) -> Handler:
        """The use case runs inside the consumer loop's transaction."""

        def handle(conn: sa.Connection, event: Envelope) -> None:
            with BookingUnitOfWork(runtime, conn) as uow:
                use_case(uow, event)

        return handle

    slot = joined(handlers.follow_slot)
    return {
        "venues.space.published": joined(handlers.remember_space),
        "venues.slot.held": slot,
        "venues.slot.conflicted": slot,
        "venues.slot.approved": slot,
        "venues.slot.rejected": slot,
    }
