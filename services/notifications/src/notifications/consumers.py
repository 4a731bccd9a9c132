"""Which events the notifications worker reacts to: topic and event type → handler."""

from eventbus.consumer import Handler

TOPICS = ["venues.events", "booking.events"]
HANDLERS: dict[str, Handler] = {}
