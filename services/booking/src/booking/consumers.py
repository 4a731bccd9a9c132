"""Which events the booking worker reacts to: topic and event type → handler."""

from eventbus.consumer import Handler

TOPICS = ["venues.events"]
HANDLERS: dict[str, Handler] = {}
