"""Request and response bodies of the venues API."""

import marshmallow as ma

from venues.domain.areas import LEVELS


class LocalisedName(ma.Schema):
    vi = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class AreaIn(ma.Schema):
    name = ma.fields.Nested(LocalisedName, required=True)
    level = ma.fields.String(required=True, validate=ma.validate.OneOf(LEVELS))
    parent_id = ma.fields.UUID(load_default=None, allow_none=True)
    code = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=20))


class AreaOut(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.Nested(LocalisedName, required=True)
    level = ma.fields.String(required=True)
    parent_id = ma.fields.String(allow_none=True)
    code = ma.fields.String(allow_none=True)


class AreaList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AreaOut), required=True)
    next_cursor = ma.fields.String(allow_none=True)
