"""What the OpenAPI document says of our fields and parameters is what the services do, so that a
client (or the fuzzer) that follows it sends what they take and reads what they answer."""

import re
from typing import Any

import marshmallow as ma

from eventbus.fields import Line, PageQuery, Paragraphs
from eventbus.http import Api, _openapi


class Titled(ma.Schema):
    title = Line(required=True)
    description = Paragraphs(load_default="")


def test_a_text_field_pattern_takes_exactly_the_characters_the_field_takes() -> None:
    for name, field in Titled().fields.items():
        assert isinstance(field, Line), name
        for c in [chr(i) for i in range(0xA1)] + ["\u2028", "\u2029", "đ", "\U0001f3ad"]:
            try:
                Titled().load({"title": "Chèo", name: f"a{c}b"})
                taken = True
            except ma.ValidationError:
                taken = False
            assert (re.fullmatch(field.document_pattern, f"a{c}b") is not None) == taken, (name, c)


def test_text_stored_before_the_rule_is_shown_as_its_pattern_says() -> None:
    shown = Titled().dump({"title": "Đêm\x06Chèo\u2028", "description": "Dòng\r\nhai\x0bba\tbốn"})
    assert shown == {"title": "Đêm Chèo ", "description": "Dòng\nhai ba\tbốn"}
    for name, field in Titled().fields.items():
        assert isinstance(field, Line), name
        assert re.fullmatch(field.document_pattern, shown[name]), name


def test_a_query_parameter_is_never_null_in_the_document() -> None:
    """A query string cannot carry null: a parameter left out takes its default, and the document
    must not offer null (a fuzzer sends it as the text `null` or `false`, which the service takes)."""
    api = Api("t")

    @api.route("/v1/things", "GET", query=PageQuery, responses={200: None})
    def things(query: dict[str, Any]) -> None:
        """Lists things."""

    parameters = _openapi("t", [api])["paths"]["/v1/things"]["get"]["parameters"]
    cursor = next(p["schema"] for p in parameters if p["name"] == "cursor")
    assert "nullable" not in cursor and "default" not in cursor and cursor["type"] == "string"
