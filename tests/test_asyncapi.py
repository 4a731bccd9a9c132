"""The AsyncAPI document names every event the services publish, as their schemas say."""

import json

from xudong.asyncapi import build
from xudong.processes import ROOT


def test_the_committed_asyncapi_document_is_the_one_the_schemas_make() -> None:
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == build(), "run `.venv/bin/xudong asyncapi > docs/asyncapi.json`"


def test_every_saga_transition_has_its_documented_event() -> None:
    messages = {m["name"] for m in build()["components"]["messages"].values()}
    booking = {
        f"booking.venue_booking.{s}"
        for s in (
            "requested",
            "held",
            "conflicted",
            "approved",
            "rejected",
            "awaiting_payment",
            "confirmed",
            "expired",
            "cancelled",
            "refunded",
        )
    }
    venues = {f"venues.slot.{s}" for s in ("held", "conflicted", "approved", "rejected", "released")}
    assert booking | venues <= messages
    data = build()["components"]["messages"]["booking_venue_booking_approved"]["payload"]["properties"][
        "data"
    ]
    assert {"organiser_id", "venue_id", "start", "end", "fee", "reason", "language"} <= set(
        data["properties"]
    )
