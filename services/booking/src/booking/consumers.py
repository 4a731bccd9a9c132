"""Which events the booking worker reacts to: event type → handler."""

from functools import partial

from booking import handlers, people
from booking.unit_of_work import BookingUnitOfWork
from eventbus.consumer import Handler
from eventbus.runtime import Runtime, in_loop_transaction

TOPICS = ["venues.events", "identity.events"]
ACCOUNT_CHANGES = [
    f"identity.user.{change}" for change in ("registered", "verified", "profile_changed", "suspended")
]


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
        "identity.user.erased": joined(people.erase_person),
    } | {event_type: joined(people.follow_account) for event_type in ACCOUNT_CHANGES}
