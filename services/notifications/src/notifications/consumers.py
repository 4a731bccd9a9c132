"""Which events the notifications worker reacts to: every event type that gives rise to a message,
settles a reminder or changes what waits for a manager's review."""

from functools import partial

from eventbus.consumer import Handler
from eventbus.runtime import Runtime, in_loop_transaction
from notifications import handlers
from notifications.domain.messages import MESSAGES, REVIEWED, SETTLES, WAITS
from notifications.unit_of_work import NotificationsUnitOfWork

TOPICS = ["venues.events", "booking.events"]


def consumers(runtime: Runtime) -> dict[str, Handler]:
    joined = partial(in_loop_transaction, runtime, NotificationsUnitOfWork)
    return {event_type: joined(handlers.record) for event_type in {*MESSAGES, *SETTLES, WAITS, *REVIEWED}}
