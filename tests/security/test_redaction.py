"""What admits its bearer never reaches a log: a ticket's code in a path, an order's token in the
query of the link sent or in the X-Order-Token header. The request lines are still written."""

import json
import uuid
from typing import Any

import pytest
import requests

from conftest import eventually
from tests.e2e.ticket_fixtures import api, free, on_sale, order
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_ticket_codes_and_order_tokens_are_kept_out_of_the_request_log(platform: Stack) -> None:
    event = on_sale(platform, [free(5)])
    held = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}]).json()
    code, token = held["tickets"][0]["code"], held["token"]
    traced = {"X-Correlation-ID": f"redaction-{uuid.uuid4().hex[:8]}"}
    asked = [
        requests.get(api(platform, f"/tickets/{code}"), headers=traced, timeout=10),
        requests.get(api(platform, f"/tickets/{code}/qr.svg"), headers=traced, timeout=10),
        requests.get(
            api(platform, f"/orders/{held['id']}"), params={"token": token}, headers=traced, timeout=10
        ),
        requests.get(
            api(platform, f"/orders/{held['id']}"), headers=traced | {"X-Order-Token": token}, timeout=10
        ),
        requests.post(
            api(platform, "/checkins"),
            headers=traced | event["venue"]["manager"],
            json={"event_id": event["id"], "code": code},
            timeout=10,
        ),
    ]
    assert [a.status_code for a in asked] == [200] * 5, [a.text for a in asked]

    def logged() -> tuple[str, list[dict[str, Any]]] | None:
        text = (platform.state / "logs" / "booking-api.log").read_text()
        written = text.split("\n")[:-1]  # lines end at "\n" only, and not a line still being written
        records = [json.loads(line) for line in written if line.startswith("{")]
        mine = [r for r in records if r["correlation_id"] == traced["X-Correlation-ID"]]
        return (text, mine) if len(mine) >= len(asked) else None

    text, mine = eventually(logged, timeout=10)
    assert code not in text and token not in text
    assert {r["path"] for r in mine} >= {"/v1/tickets/[redacted]", "/v1/tickets/[redacted]/qr.svg"}
