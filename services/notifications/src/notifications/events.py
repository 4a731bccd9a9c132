"""The events the notifications service publishes on `notifications.events`, with their schemas."""

from eventbus.outbox import EventType

TOPIC = "notifications.events"

CATALOGUE: dict[str, EventType] = {}
