"""Every service refuses a bearer token it did not issue as it issues them: no algorithm but the
one fixed in code, no expired token, no other issuer or audience, no claim changed after signing.
Each refusal is a 401 problem+json, and the same request with a good token is let in."""

import base64
import hmac
import json
import time
from typing import Any

import jwt
import pytest
import requests

from conftest import token
from eventbus.auth import AUDIENCE, ISSUER
from eventbus.settings import DEV_JWT_SECRET
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "staff-1",
        "role": "staff",
        "iat": now,
        "exp": now + 600,
    } | overrides


def _part(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _tampered() -> str:
    """An organiser's genuine token whose claims now say staff; the signature is the organiser's."""
    header, _, signature = token("organiser", "org-1")["Authorization"].removeprefix("Bearer ").split(".")
    claims = _claims(sub="org-1")
    return f"{header}.{_part(claims)}.{signature}"


def _signed_as(alg: str, digest: str) -> str:
    """Our claims and our secret, under another algorithm's name: HS512, or RS256 as if the
    shared secret were a public key (the algorithm confusion)."""
    signing_input = f"{_part({'alg': alg, 'typ': 'JWT'})}.{_part(_claims())}"
    mac = hmac.new(DEV_JWT_SECRET.encode(), signing_input.encode(), digest).digest()
    return f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"


BAD = {
    "alg-none": lambda: jwt.encode(_claims(), None, algorithm="none"),
    "hs512": lambda: _signed_as("HS512", "sha512"),
    "rs256-confusion": lambda: _signed_as("RS256", "sha256"),
    "expired": lambda: jwt.encode(_claims(exp=int(time.time()) - 5), DEV_JWT_SECRET, algorithm="HS256"),
    "wrong-issuer": lambda: jwt.encode(_claims(iss="elsewhere"), DEV_JWT_SECRET, algorithm="HS256"),
    "wrong-audience": lambda: jwt.encode(_claims(aud="another-app"), DEV_JWT_SECRET, algorithm="HS256"),
    "other-secret": lambda: jwt.encode(_claims(), "not-our-secret-but-long-enough-0123", algorithm="HS256"),
    "tampered-claims": _tampered,
    "not-a-jwt": lambda: "Bearer-nonsense",
}
# One route of each service that only a logged-in user may read.
ROUTES = {"venues": "/v1/review-queue", "booking": "/v1/venue-bookings", "notifications": "/v1/notifications"}


@pytest.mark.parametrize("service", list(ROUTES))
def test_every_service_refuses_tokens_it_did_not_issue_and_admits_its_own(
    platform: Stack, service: str
) -> None:
    url = f"http://127.0.0.1:{getattr(platform.ports, service)}{ROUTES[service]}"
    for name, make in BAD.items():
        answer = requests.get(url, headers={"Authorization": f"Bearer {make()}"}, timeout=10)
        assert answer.status_code == 401, (name, answer.status_code, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json", name
    assert requests.get(url, timeout=10).status_code == 401  # no token at all
    for good in (jwt.encode(_claims(), DEV_JWT_SECRET, algorithm="HS256"), _signed_as("HS256", "sha256")):
        admitted = requests.get(url, headers={"Authorization": f"Bearer {good}"}, timeout=10)
        assert admitted.status_code == 200, admitted.text  # the refusals above are for what they change
