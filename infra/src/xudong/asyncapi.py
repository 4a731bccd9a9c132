"""The AsyncAPI document of every topic and event type, built from the schemas the services own,
so that it cannot drift from what they publish. `xudong asyncapi` prints it; docs/asyncapi.json
keeps a copy that a test compares with it."""

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from eventbus.outbox import EventType

ENVELOPE: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes around the event's data; the Kafka key is `subject`.",
    "required": ["id", "source", "type", "specversion", "time", "subject", "data", "correlationid"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "source": {"type": "string"},
        "type": {"type": "string"},
        "specversion": {"const": "1.0"},
        "time": {"type": "string", "format": "date-time"},
        "subject": {"type": "string", "description": "the aggregate's id"},
        "correlationid": {"type": "string"},
        "causationid": {"type": ["string", "null"]},
    },
}


def _catalogues() -> dict[str, dict[str, EventType]]:
    from booking.events import CATALOGUE as booking
    from identity.events import CATALOGUE as identity
    from notifications.events import CATALOGUE as notifications
    from venues.events import CATALOGUE as venues

    return {"identity": identity, "venues": venues, "booking": booking, "notifications": notifications}


def build() -> dict[str, Any]:
    converter = MarshmallowPlugin()
    converter.init_spec(APISpec("x", "1", "3.0.3", plugins=[converter]))
    assert converter.converter is not None
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for service, catalogue in _catalogues().items():
        for event_type, spec in sorted(catalogue.items()):
            name = event_type.replace(".", "_")
            data = converter.converter.schema2jsonschema(spec.schema)  # type: ignore[no-untyped-call]
            messages[name] = {
                "name": event_type,
                "title": event_type,
                "summary": (type(spec.schema).__doc__ or "").strip() or None,
                "payload": {
                    **ENVELOPE,
                    "properties": {
                        **ENVELOPE["properties"],
                        "type": {"const": event_type},
                        "source": {"const": service},
                        "data": data,
                    },
                },
            }
            channel = spec.topic.replace(".", "_")
            channels.setdefault(channel, {"address": spec.topic, "messages": {}})["messages"][name] = {
                "$ref": f"#/components/messages/{name}"
            }
            operations.setdefault(
                f"publish_{channel}",
                {
                    "action": "send",
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "messages": [],
                },
            )["messages"].append({"$ref": f"#/channels/{channel}/messages/{name}"})
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Xứ Đông Stages events",
            "version": "1",
            "description": "Each topic has a `<topic>.dlq` where consumers leave what they could not apply.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
