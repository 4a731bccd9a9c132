"""Stripe's webhooks during a chaos run, with their answers: localstripe sends each one once, here,
and this passes it on to the booking service as it came and writes down what the service
answered. Stripe sends a webhook again only when it was not acknowledged, and so does
`redeliver`: a webhook the service answered 2xx and did not record stays unrecorded, for the
checker to see."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.e2e.test_venue_payments import signed
from xudong.stack import LOCAL_WEBHOOK_SECRET, Stack

SUCCEEDED = "payment_intent.succeeded"


@dataclass
class Deliveries:
    """Each webhook sent: its type, the object it is about, and the service's answer (None: none)."""

    sent: list[tuple[str, str, int | None]] = field(default_factory=list)

    def acknowledged(self, intent_id: str) -> bool:
        return any(
            (kind, about) == (SUCCEEDED, intent_id) and status is not None and 200 <= status < 300
            for kind, about, status in self.sent
        )


@contextmanager
def recorded_webhooks(stack: Stack) -> Iterator[tuple[Deliveries, str]]:
    """localstripe's webhooks pass through here for as long as this lasts; yields the record and
    the address that passes a webhook on."""
    record = Deliveries()
    target = f"http://127.0.0.1:{stack.ports.booking}/v1/stripe/webhook"

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k: self.headers[k] for k in ("Content-Type", "Stripe-Signature") if k in self.headers}
            try:
                status: int | None = requests.post(target, data=raw, headers=headers, timeout=10).status_code
            except requests.RequestException:
                status = None
            event = json.loads(raw)
            record.sent.append((event.get("type", ""), event["data"]["object"].get("id", ""), status))
            self.send_response(status or 502)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="stripe-webhooks", daemon=True)
    thread.start()
    here = f"http://127.0.0.1:{server.server_address[1]}/"
    config = f"http://127.0.0.1:{stack.ports.stripe}/_config/webhooks/booking"
    requests.post(config, data={"url": here, "secret": LOCAL_WEBHOOK_SECRET}, timeout=10).raise_for_status()
    try:
        yield record, here
    finally:
        stack.register_stripe_webhook()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def redeliver(record: Deliveries, here: str, intents: list[str], patience: float) -> list[str]:
    """What Stripe does for a webhook that was not acknowledged: it sends it again, until it is.
    Returns the payments whose webhook no answer acknowledged in time."""
    unanswered = []
    for intent_id in intents:
        until = time.monotonic() + patience
        while not record.acknowledged(intent_id):
            if time.monotonic() > until:
                unanswered.append(intent_id)
                break
            event = {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": SUCCEEDED,
                "data": {"object": {"id": intent_id, "object": "payment_intent"}},
            }
            payload, signature = signed(event)
            try:
                requests.post(
                    here,
                    data=payload,
                    headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
                    timeout=15,
                )
            except requests.RequestException:
                time.sleep(0.5)
    return unanswered
