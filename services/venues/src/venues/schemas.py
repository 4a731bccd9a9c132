"""Request and response bodies of the venues API."""

from typing import Any

import marshmallow as ma

from eventbus.fields import Line, LocalTime, PageQuery
from venues.domain.areas import LEVELS
from venues.domain.catalogue import DAYS, FUNDING_MODELS, KINDS, LAYOUT_KINDS, STATUSES


class LocalisedName(ma.Schema):
    vi = Line(required=True, validate=ma.validate.Length(min=1, max=200))
    en = Line(required=True, validate=ma.validate.Length(min=1, max=200))


class AreaIn(ma.Schema):
    name = ma.fields.Nested(LocalisedName, required=True)
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(LEVELS))
    parent_id = ma.fields.UUID(load_default=None, allow_none=True)
    code = Line(load_default=None, allow_none=True, validate=ma.validate.Length(max=20))


class AreaChange(ma.Schema):
    name = ma.fields.Nested(LocalisedName)
    level = ma.fields.String(validate=ma.validate.OneOf(LEVELS))
    parent_id = ma.fields.UUID(allow_none=True)
    code = Line(allow_none=True, validate=ma.validate.Length(max=20))


class AreaOut(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    level = ma.fields.String(required=True)
    parent_id = ma.fields.String(allow_none=True)
    code = ma.fields.String(allow_none=True)


class AreaList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AreaOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class Coordinates(ma.Schema):
    lat = ma.fields.Float(required=True, validate=ma.validate.Range(-90, 90))
    lng = ma.fields.Float(required=True, validate=ma.validate.Range(-180, 180))


class Row(ma.Schema):
    label = Line(required=True, validate=ma.validate.Length(min=1, max=5))
    seats = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 200))
    category = Line(required=True, validate=ma.validate.Length(min=1, max=30))
    accessible = ma.fields.List(ma.fields.Integer(), load_default=list)


class Section(ma.Schema):
    name = Line(required=True, validate=ma.validate.Length(min=1, max=60))
    rows = ma.fields.List(ma.fields.Nested(Row), required=True, validate=ma.validate.Length(min=1, max=100))


class Plot(ma.Schema):
    code = Line(required=True, validate=ma.validate.Length(min=1, max=10))
    width_m = ma.fields.Float(required=True, validate=ma.validate.Range(0.5, 100))
    depth_m = ma.fields.Float(required=True, validate=ma.validate.Range(0.5, 100))
    x = ma.fields.Float(required=True)
    y = ma.fields.Float(required=True)
    price_per_night = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 100_000_000))


class Layout(ma.Schema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(LAYOUT_KINDS))
    sections = ma.fields.List(ma.fields.Nested(Section), validate=ma.validate.Length(max=20))
    capacity = ma.fields.Integer(validate=ma.validate.Range(1, 200_000))
    plots = ma.fields.List(ma.fields.Nested(Plot), validate=ma.validate.Length(max=500))

    @ma.validates_schema
    def _fits_kind(self, data: dict[str, Any], **_: Any) -> None:
        needed = {"seated": "sections", "general_admission": "capacity", "plots": "plots"}[data["kind"]]
        if needed not in data:
            raise ma.ValidationError(f"a {data['kind']} layout needs {needed}", needed)


HHMM = ma.validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="use HH:MM")


class Rate(ma.Schema):
    unit = ma.fields.String(required=True, validate=ma.validate.OneOf(("hour", "night")))
    amount = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 10_000_000_000))


class RefundStep(ma.Schema):
    notice_days = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 365))
    refund_share = ma.fields.Float(required=True, validate=ma.validate.Range(0, 1))


class Rules(ma.Schema):
    opening_hours = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(DAYS)),
        values=ma.fields.List(
            ma.fields.List(ma.fields.String(validate=HHMM), validate=ma.validate.Length(2, 2))
        ),
        required=True,
    )
    min_duration_minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(15, 60 * 24 * 14))
    max_duration_minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(15, 60 * 24 * 14))
    lead_time_hours = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 24 * 365))
    buffer_minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(0, 24 * 60))
    rate = ma.fields.Nested(Rate, required=True)
    deposit_share = ma.fields.Float(required=True, validate=ma.validate.Range(0, 1))
    needs_approval = ma.fields.Boolean(required=True)
    free_public_use = ma.fields.Boolean(load_default=False)
    cancellation_policy = ma.fields.List(ma.fields.Nested(RefundStep), required=True)


class SpaceIn(ma.Schema):
    key = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z0-9-]{1,60}$"))
    name = ma.fields.Nested(LocalisedName, required=True)
    layout = ma.fields.Nested(Layout, required=True)
    rules = ma.fields.Nested(Rules, required=True)


class VenueIn(ma.Schema):
    key = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z0-9-]{1,60}$"))
    name = ma.fields.Nested(LocalisedName, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    area_id = ma.fields.UUID(required=True)
    address = Line(required=True, validate=ma.validate.Length(min=1, max=300))
    coordinates = ma.fields.Nested(Coordinates, load_default=None, allow_none=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    funding_model = ma.fields.String(required=True, validate=ma.validate.OneOf(FUNDING_MODELS))
    operator = Line(required=True, validate=ma.validate.Length(min=1, max=200))
    amenities = ma.fields.List(Line(validate=ma.validate.Length(max=40)), load_default=list)
    photos = ma.fields.List(ma.fields.Url(), load_default=list)
    sample_values = ma.fields.Boolean(load_default=False)
    spaces = ma.fields.List(
        ma.fields.Nested(SpaceIn), required=True, validate=ma.validate.Length(min=1, max=50)
    )

    @ma.validates_schema
    def _distinct(self, data: dict[str, Any], **_: Any) -> None:
        keys = [s["key"] for s in data.get("spaces", [])]
        if len(set(keys)) != len(keys):
            raise ma.ValidationError("each space needs its own key", "spaces")


class SpaceOut(ma.Schema):
    id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    key = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    layout_kind = ma.fields.String(required=True)
    capacity = ma.fields.Integer(required=True)
    layout = ma.fields.Raw(required=True)
    rules = ma.fields.Raw(required=True)


class VenueOut(ma.Schema):
    id = ma.fields.String(required=True)
    key = ma.fields.String(allow_none=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    kind = ma.fields.String(required=True)
    area_id = ma.fields.String(required=True)
    address = ma.fields.String(required=True)
    coordinates = ma.fields.Nested(Coordinates, allow_none=True)
    status = ma.fields.String(required=True)
    funding_model = ma.fields.String(required=True)
    operator = ma.fields.String(required=True)
    amenities = ma.fields.List(ma.fields.String(), required=True)
    photos = ma.fields.List(ma.fields.String(), required=True)
    sample_values = ma.fields.Boolean(required=True)
    spaces = ma.fields.List(ma.fields.Nested(SpaceOut), required=True)


class VenueList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(VenueOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class VenueQuery(PageQuery):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    area = ma.fields.UUID()
    q = ma.fields.String(validate=ma.validate.Length(max=100))


class Window(ma.Schema):
    start = LocalTime(required=True, data_key="from")
    end = LocalTime(required=True, data_key="to")

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if "start" in data and "end" in data:
            if data["end"] <= data["start"]:
                raise ma.ValidationError("must come after from", "to")
            if (data["end"] - data["start"]).days > 366:
                raise ma.ValidationError("ask for at most a year at a time", "to")


class AvailabilityQuery(Window, PageQuery):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    area = ma.fields.UUID()
    min_capacity = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 200_000))


class EntryOut(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    plot_id = ma.fields.String(allow_none=True)
    venue_booking_id = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)


class ScheduledEntry(EntryOut):
    plot = ma.fields.String(allow_none=True)  # the plot's code in the space's layout


class ScheduleOut(ma.Schema):
    space_id = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(ScheduledEntry), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class FreeSpace(ma.Schema):
    space_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    venue_name = ma.fields.Nested(LocalisedName, required=True)
    venue_kind = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    layout_kind = ma.fields.String(required=True)
    capacity = ma.fields.Integer(required=True)


class FreeSpaceList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FreeSpace), required=True)
    next_cursor = ma.fields.String(allow_none=True)


class BlackoutIn(ma.Schema):
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    reason = Line(required=True, validate=ma.validate.Length(min=1, max=300))

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ma.ValidationError("must come after start", "end")


class Rejection(ma.Schema):
    reason = Line(required=True, validate=ma.validate.Length(min=1, max=500))


class Competitor(ma.Schema):
    venue_booking_id = ma.fields.String(allow_none=True)
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    title = ma.fields.String(required=True)


class QueueEntry(ma.Schema):
    id = ma.fields.String(required=True)
    venue_booking_id = ma.fields.String(required=True)
    venue_id = ma.fields.String(required=True)
    space_id = ma.fields.String(required=True)
    plot_id = ma.fields.String(allow_none=True)
    start = LocalTime(required=True)
    end = LocalTime(required=True)
    title = ma.fields.String(required=True)
    organiser_id = ma.fields.String(required=True)
    requested_at = LocalTime(required=True)
    conflicts = ma.fields.List(ma.fields.Nested(Competitor), required=True)


class QueueOut(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QueueEntry), required=True)
    next_cursor = ma.fields.String(allow_none=True)
