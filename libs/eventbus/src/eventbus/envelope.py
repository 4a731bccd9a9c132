"""The CloudEvents-style envelope every event travels in."""

import json
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from eventbus.logs import current_correlation_id

SPECVERSION = "1.0"


class InvalidEnvelope(ValueError):
    """Bytes that are not an event envelope: such a message can never be handled."""


@dataclass(frozen=True)
class Envelope:
    source: str
    type: str
    subject: str
    data: dict[str, Any]
    correlationid: str
    causationid: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    specversion: str = SPECVERSION

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> "Envelope":
        try:
            doc = json.loads(raw or b"")
            known = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__}  # tolerate extensions
            envelope = cls(**known)
        except (ValueError, TypeError, AttributeError) as exc:
            raise InvalidEnvelope(f"not an event envelope: {exc}") from exc
        if not isinstance(envelope.data, dict) or not envelope.type:
            raise InvalidEnvelope("envelope lacks a type or an object as data")
        try:
            canonical = str(uuid.UUID(envelope.id))  # the form the processed-events table gives back
        except (ValueError, TypeError, AttributeError) as exc:
            raise InvalidEnvelope(f"envelope id is not a UUID: {envelope.id!r}") from exc
        return replace(envelope, id=canonical)


def new_event(
    source: str, type: str, subject: str, data: dict[str, Any], cause: Envelope | None = None
) -> Envelope:
    """An event caused by `cause` (when a consumer reacts) or by the current request."""
    return Envelope(
        source=source,
        type=type,
        subject=subject,
        data=data,
        correlationid=cause.correlationid if cause else current_correlation_id(),
        causationid=cause.id if cause else None,
    )
