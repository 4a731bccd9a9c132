"""The events the identity service publishes on `identity.events`, each with the schema it must
pass (none yet: accounts and roles come next)."""

from eventbus.outbox import EventType

TOPIC = "identity.events"
CATALOGUE: dict[str, EventType] = {}
