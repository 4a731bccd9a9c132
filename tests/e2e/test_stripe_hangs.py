"""A Stripe that accepts connections and never answers: requests answer within seconds, expired
holds go back to sale, refunds stay owed and are paid once Stripe answers again. The booking
service's API and worker are pointed at a local server that hangs, then back at localstripe."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from conftest import eventually
from tests.e2e.test_refund_refusals import PRICE, paid_orders, taken
from tests.e2e.ticket_fixtures import api, ga, lapse_hold, on_sale, order, read_order
from xudong.processes import wait_for
from xudong.stack import Stack

pytestmark = pytest.mark.stack
QUICK = 15  # seconds: far below what one call would take with the stripe package's defaults (80 s × 3)


class Hanging:
    """A server on 127.0.0.1 that accepts every connection and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed: the test is over
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


def restart_booking(stack: Stack, **env: str) -> None:
    for name in ("booking-api", "booking-worker"):
        process = stack.process(name)
        process.env = {**(process.env or {}), **env}
        process.start()
    wait_for(lambda: stack.service_ready("booking"), "the booking service")


@contextmanager
def stripe_hangs(stack: Stack) -> Iterator[Hanging]:
    hanging = Hanging()
    restart_booking(
        stack,
        BOOKING_STRIPE_API_BASE=f"http://127.0.0.1:{hanging.port}",
        BOOKING_STRIPE_TIMEOUT_SECONDS="2",
    )
    try:
        yield hanging
    finally:
        restart_booking(stack)  # as the platform runs them, on localstripe
        hanging.close()


def test_a_hanging_stripe_blocks_no_request_no_expired_hold_and_loses_no_refund(platform: Stack) -> None:
    event = on_sale(platform, [ga(20, price=PRICE)])
    type_id = event["types"][0]
    owed, kept = paid_orders(platform, event, 2)
    with stripe_hangs(platform) as hanging:
        cancelled = requests.post(  # a request that waited on Stripe would time out here
            api(platform, f"/orders/{owed['id']}/cancel"),
            headers={"X-Order-Token": owed["token"]},
            json={},
            timeout=QUICK,
        )
        assert cancelled.status_code == 200, cancelled.text
        eventually(lambda: hanging.accepted, timeout=QUICK)  # the worker is waiting on Stripe now

        lapsing = order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 5}]).json()
        lapse_hold(platform, lapsing["id"])
        eventually(lambda: taken(platform, type_id) == 1, timeout=QUICK)  # only `kept` is left

        unpaid = order(platform, event["id"], items=[{"ticket_type_id": type_id, "quantity": 1}]).json()
        paying = requests.post(  # Stripe given up on after its short timeout and one retry
            api(platform, f"/orders/{unpaid['id']}/payment"),
            headers={"X-Order-Token": unpaid["token"]},
            json={},
            timeout=QUICK * 2,
        )
        assert paying.status_code == 503, paying.text
        assert read_order(platform, owed)["refunded_amount"] == 0  # owed still, not lost
    eventually(lambda: read_order(platform, owed)["refunded_amount"] == PRICE, timeout=30)
    assert read_order(platform, kept)["status"] == "paid"
