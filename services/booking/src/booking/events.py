"""The events the booking service publishes on `booking.events`, each with the schema it must pass."""

from eventbus.outbox import EventType

TOPIC = "booking.events"

CATALOGUE: dict[str, EventType] = {}
