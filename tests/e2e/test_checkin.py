"""At the door: a ticket is let in once, even when twenty scanners read it at the same moment."""

import threading
import uuid
from typing import Any

import pytest
import requests

from booking.config import ticket_signing_key
from booking.domain.ticketing import qr_payload
from booking.eticket import qr_image
from conftest import token
from tests.e2e.ticket_fixtures import api, free, on_sale, order, signed_qr
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def scan(stack: Stack, headers: dict[str, str], event_id: str, **ticket: str) -> requests.Response:
    body = {"event_id": event_id, "gate": ticket.pop("gate", "Cổng chính")} | ticket
    return requests.post(api(stack, "/checkins"), headers=headers, json=body, timeout=30)


def registered(stack: Stack) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    event = on_sale(stack, [free(50)])
    answer = order(stack, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 2}])
    assert answer.status_code == 201, answer.text
    return event, answer.json()["tickets"]


def test_twenty_concurrent_scans_of_one_ticket_let_it_in_once(platform: Stack) -> None:
    event, tickets = registered(platform)
    manager = event["venue"]["manager"]
    barrier, answers = threading.Barrier(20), []

    def scanner(gate: int) -> None:
        barrier.wait()
        answers.append(scan(platform, manager, event["id"], code=tickets[0]["code"], gate=f"gate {gate}"))

    threads = [threading.Thread(target=scanner, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 19
    first = next(a.json() for a in answers if a.status_code == 200)
    for refused in (a.json() for a in answers if a.status_code == 409):
        assert (refused["checked_in_at"], refused["gate"]) == (first["checked_in_at"], first["gate"])


def test_the_qr_image_carries_the_signed_payload_which_lets_in_and_a_forged_one_does_not(
    platform: Stack,
) -> None:
    event, tickets = registered(platform)
    key = ticket_signing_key({"XUDONG_ENV": "development"})
    genuine = qr_payload(key, tickets[1]["code"])
    served = requests.get(tickets[1]["qr_url"], timeout=10).content
    assert served == qr_image(genuine)  # the image says exactly this
    organiser = event["organiser"]
    forged = scan(platform, organiser, event["id"], qr=qr_payload(b"not our key", tickets[1]["code"]))
    assert forged.status_code == 422 and "qr" in forged.json()["errors"]
    assert scan(platform, organiser, event["id"], qr=genuine).status_code == 200


def test_tickets_of_another_event_void_tickets_and_strangers_are_refused(platform: Stack) -> None:
    event, tickets = registered(platform)
    other, _ = registered(platform)
    staff = token("staff", "door-staff")
    wrong = scan(platform, staff, other["id"], code=tickets[0]["code"])
    assert wrong.status_code == 409 and "another event" in wrong.json()["detail"]
    stranger = token("venue_manager", f"m-{uuid.uuid4().hex[:6]}", other["venue"]["id"])
    assert scan(platform, stranger, event["id"], code=tickets[0]["code"]).status_code == 403
    assert scan(platform, staff, event["id"], code="no-such-ticket").status_code == 404
    requests.post(
        api(platform, f"/events/{event['id']}/cancel"),
        headers=event["organiser"],
        json={"reason": "mưa"},
        timeout=30,
    ).raise_for_status()
    void = scan(platform, staff, event["id"], code=tickets[0]["code"])
    assert void.status_code == 409 and "cancelled or refunded" in void.json()["detail"]


def test_a_typed_code_is_taken_from_the_venues_people_only_and_for_its_own_event(platform: Stack) -> None:
    event, tickets = registered(platform)
    other, _ = registered(platform)
    code = tickets[0]["code"]
    typed_by_organiser = scan(platform, event["organiser"], event["id"], code=code)
    assert typed_by_organiser.status_code == 422, typed_by_organiser.text
    assert typed_by_organiser.headers["Content-Type"] == "application/problem+json"
    assert "code" in typed_by_organiser.json()["errors"]
    manager = event["venue"]["manager"]
    assert scan(platform, manager, other["id"], code=code).status_code in (403, 409)  # not its event
    assert scan(platform, manager, event["id"], code=code).status_code == 200  # the refusals let in nothing
    assert (
        scan(platform, event["organiser"], event["id"], qr=signed_qr(tickets[1]["code"])).status_code == 200
    )
