"""Which events the notifications worker reacts to: every event type that gives rise to a message,
settles a reminder or changes what waits for a manager's review, and the identity service's news
of the people it knows (their contact details, their erasure). Redelivered events are dropped by
the consumer loop's processed-events table; one person's events come in order (keyed by user id)."""

from functools import partial

from eventbus.consumer import Handler
from eventbus.runtime import Runtime, in_loop_transaction
from notifications import handlers
from notifications.domain.messages import CHALLENGE, MESSAGES, REVIEWED, SETTLES, WAITS
from notifications.unit_of_work import NotificationsUnitOfWork

TOPICS = ["identity.events", "venues.events", "booking.events"]
ACCOUNT_CHANGES = [
    f"identity.user.{change}" for change in ("registered", "verified", "profile_changed", "suspended")
]
ERASED = "identity.user.erased"


def consumers(runtime: Runtime) -> dict[str, Handler]:
    joined = partial(in_loop_transaction, runtime, NotificationsUnitOfWork)
    recorded = {*MESSAGES, *SETTLES, WAITS, *REVIEWED, CHALLENGE}
    return (
        {event_type: joined(handlers.record) for event_type in recorded}
        | {event_type: joined(handlers.follow_account) for event_type in ACCOUNT_CHANGES}
        | {ERASED: joined(handlers.erase_person)}
    )
