"""Which events the booking worker reacts to: event type → handler."""

from functools import partial

from booking import handlers
from booking.unit_of_work import BookingUnitOfWork
from eventbus.consumer import Handler
from eventbus.runtime import Runtime, in_loop_transaction

TOPICS = ["venues.events"]


def consumers(runtime: Runtime) -> dict[str, Handler]:
    joined = partial(in_loop_transaction, runtime, BookingUnitOfWork)
    slot = joined(handlers.follow_slot)
    return {
        "venues.space.published": joined(handlers.remember_space),
        "venues.area.created": joined(handlers.remember_area),
        "venues.area.updated": joined(handlers.remember_area),
        "venues.slot.held": slot,
        "venues.slot.conflicted": slot,
        "venues.slot.approved": slot,
        "venues.slot.rejected": slot,
    }
