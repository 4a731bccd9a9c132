"""Which events the venues worker reacts to: topic and event type → handler."""

from eventbus.consumer import Handler

TOPICS = ["booking.events"]
HANDLERS: dict[str, Handler] = {}
