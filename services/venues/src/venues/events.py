"""The events the venues service publishes on `venues.events`, each with the schema it must pass."""

import marshmallow as ma

from eventbus.outbox import EventType

TOPIC = "venues.events"


class LocalisedName(ma.Schema):
    vi = ma.fields.String(required=True)
    en = ma.fields.String(required=True)


class AreaCreated(ma.Schema):
    area_id = ma.fields.String(required=True)
    parent_id = ma.fields.String(allow_none=True, required=True)
    level = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)


CATALOGUE = {
    "venues.area.created": EventType(TOPIC, AreaCreated()),
}
