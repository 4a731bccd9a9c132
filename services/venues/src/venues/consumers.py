"""Which events the venues worker reacts to: event type → handler."""

from functools import partial

from eventbus.consumer import Handler
from eventbus.runtime import Runtime, in_loop_transaction
from venues import handlers, people
from venues.unit_of_work import VenuesUnitOfWork

TOPICS = ["booking.events", "identity.events"]


def consumers(runtime: Runtime) -> dict[str, Handler]:
    joined = partial(in_loop_transaction, runtime, VenuesUnitOfWork)
    return {
        "booking.venue_booking.requested": joined(handlers.place_requested_slot),
        "booking.venue_booking.cancelled": joined(handlers.release_slot),
        "booking.venue_booking.expired": joined(handlers.release_slot),
        "booking.venue_booking.confirmed": joined(handlers.confirm_slot),
        "identity.manager.assigned": joined(people.assign_manager),
        "identity.manager.unassigned": joined(people.unassign_manager),
        "identity.user.erased": joined(people.erase_person),
    }
