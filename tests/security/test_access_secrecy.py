"""Beside the access matrix (test_access.py): order tokens and ticket codes cannot be guessed or
enumerated, a token names no venue for another role, an idempotency key hands no token to another
client, no secret is in the repository or the logs, and no card data can reach the platform."""

import hashlib
import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from booking.config import DEV_TICKET_SECRET
from booking.domain.ticketing import new_code, new_order_token
from conftest import token
from identity.config import DEV_KEY_ENCRYPTION_SECRET
from tests.e2e.identity_flows import PASSWORD as TEST_PASSWORD
from tests.e2e.test_sign_in import NEW_PASSWORD, WEAK, WRONG
from tests.e2e.ticket_fixtures import VISA, order, somewhere
from tests.security.access_matrix import BODIES
from tests.security.access_world import World
from xudong.processes import ROOT
from xudong.stack import LOCAL_STRIPE_KEY, LOCAL_WEBHOOK_SECRET, SERVICES, Stack

pytestmark = pytest.mark.stack

# --- order tokens and ticket codes -------------------------------------------------------------------
URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def test_order_tokens_and_ticket_codes_are_long_random_and_kept_only_as_hashes(world: World) -> None:
    """Tokens carry 192 random bits and ticket codes 128, from the operating system's generator, so
    neither can be guessed from another; order ids are random UUIDs; the database keeps only a
    token's SHA-256, so a copy of it reads no order."""
    sample = [new_order_token()[0] for _ in range(2000)]
    assert len(set(sample)) == len(sample)
    assert {len(t) for t in sample} == {32}  # 24 bytes in base64url
    assert len(set("".join(sample))) == 64  # every symbol of the alphabet turns up
    assert {len(new_code()) for _ in range(200)} == {22}  # 16 bytes
    one = [{"ticket_type_id": world.ids["type"], "quantity": 1}]
    placed = [order(world.stack, world.ids["event"], items=one).json() for _ in range(3)]
    tokens = [p["token"] for p in placed]
    assert all(URL_SAFE.fullmatch(t) and len(t) == 32 for t in tokens), tokens
    assert all(uuid.UUID(p["id"]).version == 4 for p in placed)
    assert URL_SAFE.fullmatch(world.ids["code"]) and len(world.ids["code"]) == 22
    for held in placed:
        (row,) = world.query("booking", "SELECT * FROM orders WHERE id = :id", id=held["id"])
        assert held["token"] not in map(str, row)
        assert hashlib.sha256(held["token"].encode()).hexdigest() in row


def _neighbour(text: str) -> str:
    """The same text with its last character changed: a guess one step away."""
    return text[:-1] + ("B" if text[-1] == "A" else "A")


def _unmarked(answer: requests.Response) -> tuple[int, str, dict[str, Any]]:
    body = answer.json()
    body.pop("correlation_id")
    return answer.status_code, answer.headers["Content-Type"], body


def test_a_guessed_order_or_ticket_gets_the_answer_of_one_that_does_not_exist(world: World) -> None:
    """Next ids, random ids, another buyer's order, a guessed or off-by-one token, no token at all:
    reading, paying or cancelling gets the same 404, word for word, as an order that does not exist,
    so nobody learns which orders exist. The same for ticket codes."""
    own, token = world.ids["order"], world.ids["order_token"]
    guesses = {
        "no such order": (str(uuid.uuid4()), token),
        "the next id": (str(uuid.UUID(int=uuid.UUID(own).int + 1)), token),
        "another buyer's order": (world.ids["other_order"], token),
        "a guessed token": (own, new_order_token()[0]),
        "a token one character off": (own, _neighbour(token)),
        "no token": (own, ""),
    }
    for method, suffix in (("GET", ""), ("POST", "/payment"), ("POST", "/cancel")):
        answers = {
            name: _unmarked(
                requests.request(
                    method,
                    world.url("booking", f"/v1/orders/{order_id}{suffix}"),
                    json={} if method == "POST" else None,
                    headers={"X-Order-Token": guess} | somewhere(),
                    timeout=10,
                )
            )
            for name, (order_id, guess) in guesses.items()
        }
        assert {a[0] for a in answers.values()} == {404}, answers
        assert len({json.dumps(a, sort_keys=True) for a in answers.values()}) == 1, answers
    owner = {"X-Order-Token": token} | somewhere()
    assert (
        requests.get(world.url("booking", "/v1/orders/{order}"), headers=owner, timeout=10).status_code == 200
    )
    code = world.ids["code"]
    for suffix in ("", "/qr.svg"):
        tickets = [
            requests.get(world.url("booking", f"/v1/tickets/{c}{suffix}"), headers=somewhere(), timeout=10)
            for c in (code, _neighbour(code), new_code())
        ]
        assert tickets[0].status_code == 200
        assert _unmarked(tickets[1]) == _unmarked(tickets[2])
        assert tickets[1].status_code == 404


def test_a_venue_named_in_another_roles_token_makes_nobody_its_manager(world: World) -> None:
    """Only a venue manager runs the venues their token names: an organiser's token that names
    venue X sees X's schedule as the public does and may not block its dates."""
    forged = token("organiser", f"org-{uuid.uuid4().hex[:8]}", world.ids["venue_x"])
    schedule = world.url("venues", "/v1/spaces/{space_x}/schedule?{window}")
    assert (
        world.ids["booking_a_title"]
        in requests.get(schedule, headers=world.headers["mgr_x"], timeout=10).text
    )
    assert world.ids["booking_a_title"] not in requests.get(schedule, headers=forged, timeout=10).text
    blackout = BODIES["POST /v1/spaces/{space_x}/blackouts"](world, "org_a")
    refused = requests.post(
        world.url("venues", "/v1/spaces/{space_x}/blackouts"), headers=forged, json=blackout, timeout=10
    )
    assert refused.status_code == 403, refused.text


def test_a_replayed_idempotency_key_does_not_hand_a_guests_token_to_another_client(world: World) -> None:
    """A guest's retry with the same Idempotency-Key gets the answer it lost, token included. The
    same body and key from another client (who knows the buyer's email, the event and the key, as
    with the README's `order-1`) must not get that token: it reads, pays and cancels the order."""
    body = BODIES["POST /v1/orders"](world, "guest")
    key, guest = {"Idempotency-Key": "order-1"}, somewhere()
    placed = requests.post(world.url("booking", "/v1/orders"), json=body, headers=key | guest, timeout=30)
    assert placed.status_code == 201, placed.text
    again = requests.post(world.url("booking", "/v1/orders"), json=body, headers=key | guest, timeout=30)
    assert again.json() == placed.json()  # the guest's own retry
    other = requests.post(
        world.url("booking", "/v1/orders"), json=body, headers=key | somewhere(), timeout=30
    )
    assert other.status_code == 409 and placed.json()["token"] not in other.text, other.text


# --- secrets and card data ---------------------------------------------------------------------------
# The development values the stack documents (README.md, docker-compose.yml) and a deliberately
# wrong webhook secret the payment tests forge signatures with.
DEVELOPMENT_VALUES = {
    DEV_TICKET_SECRET,
    DEV_KEY_ENCRYPTION_SECRET,
    LOCAL_STRIPE_KEY,
    LOCAL_WEBHOOK_SECRET,
    "whsec_someone_else",
    "xudong",  # the local PostgreSQL role's password
    "postgres",  # the throwaway superuser password of the compose file's database container
    # the passwords of the test and bench accounts, on the test stack only
    TEST_PASSWORD,
    NEW_PASSWORD,
    WEAK,
    WRONG,
}
SETTING = r"(?:XUDONG|IDENTITY|VENUES|BOOKING|NOTIFICATIONS)_[A-Z_]*SECRET"
# name → pattern; the value judged is the pattern's first group, or the whole match without one
SECRET_PATTERNS = {
    "private key": r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
    "Stripe live key": r"\b[rs]k_live_[0-9A-Za-z]{8,}",
    "Stripe test key or webhook secret": r"\b(?:[rs]k_test|whsec)_\w+",
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "signed JWT": r"\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}",
    # a quoted value after = or :, an unquoted one on a YAML or env line of its own, or SQL's form
    "password": r"(?im)password['\"]?\s*[:=]\s*['\"]([^'\"]+)['\"]"
    r"|^\s*\w*password\s*[:=]\s*([^\s'\"#]+)\s*(?:#.*)?$|password\s+'([^']+)'",
    "password in a URL": r"://[\w.-]+:([^@\s/{}]+)@",
    # a platform setting (XUDONG_…, IDENTITY_…, BOOKING_… variables) given a secret's value
    "secret setting": rf"(?m)\b{SETTING}['\"]?\s*[:=]\s*['\"]([^'\"]+)['\"]|^\s*{SETTING}\s*:\s*([^\s'\"#]+)",
}


def _tracked_text() -> Iterator[tuple[str, str]]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file():
            try:
                yield name, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # images and other binary files


def test_no_secret_is_in_the_repository() -> None:
    """No private key, live or unknown Stripe key, cloud key, signed token, or password other than
    the stack's documented development ones, in any file git tracks or would track."""
    found = []
    for name, text in _tracked_text():
        for kind, pattern in SECRET_PATTERNS.items():
            for match in re.finditer(pattern, text):
                value = next((g for g in match.groups() if g), match.group(0))
                if value not in DEVELOPMENT_VALUES and not value.startswith(("$", "{")):
                    found.append(f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {kind}")
    assert found == []


def _platform_logs(stack: Stack) -> dict[str, str]:
    """What the platform's own processes wrote (not localstripe's nor MailDev's: they stand for
    Stripe and a mail server, which see cards and mails by their nature)."""
    logs = stack.state / "logs"
    return {
        f"{s}-{kind}": (logs / f"{s}-{kind}.log").read_text(errors="replace")
        for s in SERVICES
        for kind in ("api", "relay", "worker")
    }


def test_no_secret_reaches_the_platform_logs(world: World) -> None:
    """After a purchase paid by card, an order read by its link and a card pushed at a payment
    route, no log of any service holds the JWT secret, a bearer token, an order token, a
    PaymentIntent's client secret, a card number or the Stripe keys."""
    link = world.url("booking", "/v1/orders/{order_b}?token={order_b_token}")
    assert requests.get(link, headers=somewhere(), timeout=10).status_code == 200
    card = {"card": {"number": VISA, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    pushed = requests.post(
        world.url("booking", "/v1/orders/{order_b}/payment"),
        json=card,
        headers=world.headers["org_b"],
        timeout=10,
    )
    assert pushed.status_code == 422
    secrets = {
        "ticket secret": DEV_TICKET_SECRET,
        "key-encryption secret": DEV_KEY_ENCRYPTION_SECRET,
        "Stripe key": LOCAL_STRIPE_KEY,
        "webhook secret": LOCAL_WEBHOOK_SECRET,
        "card number": VISA,
    } | {f"token of {name}": world.ids[f"{name}_token"] for name in ("order", "other_order", "order_b")}
    patterns = {"bearer token": r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+", "client secret": r"pi_\w+_secret_\w+"}
    logs = _platform_logs(world.stack)
    paid = world.ids["other_order"]
    assert any(f"/v1/orders/{paid}/payment" in text for text in logs.values()), "not the logs of this run"
    leaks = [
        f"{log}: {what}" for log, text in logs.items() for what, value in secrets.items() if value in text
    ]
    leaks += [
        f"{log}: {what}" for log, text in logs.items() for what, p in patterns.items() if re.search(p, text)
    ]
    assert leaks == []


CARD_FIELDS = re.compile(
    r"(?i)^(card.*|.*card_?number|pan|cvc2?|cvv2?|exp(iry|_month|_year)|number|payment_method.*)$"
)


def _properties(schema: Any, components: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Every property name a schema accepts, through references, arrays and nesting."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref and ref not in seen:
            seen.add(ref)
            yield from _properties(components[ref.rsplit("/", 1)[-1]], components, seen)
        yield from schema.get("properties", {})
        for value in schema.values():
            yield from _properties(value, components, seen)
    elif isinstance(schema, list):
        for value in schema:
            yield from _properties(value, components, seen)


def test_no_service_takes_card_data_only_payment_intents(world: World) -> None:
    """No request body of any service has a field for a card: payment routes answer a PaymentIntent
    for the browser to confirm with Stripe, and refuse a card sent to them."""
    for service in SERVICES:
        document = requests.get(world.url(service, "/openapi.json"), timeout=10).json()
        components = document.get("components", {}).get("schemas", {})
        bodies = [
            op["requestBody"]
            for ops in document["paths"].values()
            for op in ops.values()
            if "requestBody" in op
        ]
        accepted = set(_properties(bodies, components, set()))
        assert accepted or not bodies, service  # the walk finds the fields there are
        assert {name for name in accepted if CARD_FIELDS.match(name)} == set(), service
    card = {
        "card": {"number": VISA, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        "payment_method": "pm_x",
    }
    routes = {
        "/v1/orders/{order_b}/payment": "org_b",
        "/v1/venue-bookings/{spare_a}/payment": "org_a",
    }
    for path, role in routes.items():
        refused = requests.post(
            world.url("booking", path), json=card, headers=world.headers[role], timeout=10
        )
        assert refused.status_code == 422, refused.text
        assert set(refused.json()["errors"]) == set(card)
    intent = requests.post(
        world.url("booking", "/v1/orders/{order_b}/payment"),
        json={},
        headers=world.headers["org_b"],
        timeout=30,
    )
    assert intent.status_code == 200, intent.text
    assert set(intent.json()) == {"payment_intent_id", "client_secret", "amount", "currency"}
