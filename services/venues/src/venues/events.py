"""The events the venues service publishes on `venues.events`, each with the schema it must pass."""

import marshmallow as ma

from eventbus.outbox import EventType

TOPIC = "venues.events"


class LocalisedName(ma.Schema):
    vi = ma.fields.String(required=True)
    en = ma.fields.String(required=True)


class AreaChanged(ma.Schema):
    area_id = ma.fields.String(required=True)
    parent_id = ma.fields.String(allow_none=True, required=True)
    level = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)


class SpacePublished(ma.Schema):
    """A space as organisers may book it: what booking needs to check requests and quote fees."""

    space_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    venue_name = ma.fields.Nested(LocalisedName, required=True)
    venue_kind = ma.fields.String(required=True)
    area_id = ma.fields.String(required=True)
    venue_status = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    layout_kind = ma.fields.String(required=True)
    capacity = ma.fields.Integer(required=True)
    layout = ma.fields.Raw(required=True)
    plots = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)  # code → id
    rules = ma.fields.Raw(required=True)


class Slot(ma.Schema):
    venue_booking_id = ma.fields.String(required=True)
    schedule_entry_id = ma.fields.String(allow_none=True, required=True)
    space_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    plot_id = ma.fields.String(allow_none=True, required=True)
    organiser_id = ma.fields.String(required=True)
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    managers = ma.fields.List(ma.fields.String(), required=True)


class Conflict(ma.Schema):
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    kind = ma.fields.String(required=True)  # booking or blackout


class SlotConflicted(Slot):
    reason = ma.fields.String(required=True)
    conflicts = ma.fields.List(ma.fields.Nested(Conflict), required=True)


class SlotDecided(Slot):
    decided_by = ma.fields.String(required=True)
    reason = ma.fields.String(allow_none=True, required=True)


class BlackoutAdded(ma.Schema):
    schedule_entry_id = ma.fields.String(required=True)
    space_id = ma.fields.String(required=True)
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    reason = ma.fields.String(required=True)


CATALOGUE = {
    "venues.area.created": EventType(TOPIC, AreaChanged()),
    "venues.area.updated": EventType(TOPIC, AreaChanged()),
    "venues.space.published": EventType(TOPIC, SpacePublished()),
    "venues.slot.held": EventType(TOPIC, Slot()),
    "venues.slot.conflicted": EventType(TOPIC, SlotConflicted()),
    "venues.slot.approved": EventType(TOPIC, SlotDecided()),
    "venues.slot.rejected": EventType(TOPIC, SlotDecided()),
    "venues.slot.released": EventType(TOPIC, Slot()),
    "venues.blackout.added": EventType(TOPIC, BlackoutAdded()),
}
