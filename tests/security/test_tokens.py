"""Every service refuses a bearer token its issuer did not sign as it signs them: RS256 under a key
id the identity service publishes, and nothing else. Each refusal is a 401 problem+json, and the
same request with a good token is let in. The identity service has no route behind a token yet."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization

from conftest import eventually, token
from eventbus.auth import AUDIENCE
from eventbus.devkey import DEV_KEY
from eventbus.runtime import Runtime
from eventbus.settings import Settings
from identity import db
from identity.config import key_encryption_key
from identity.keys import SigningKey, new_key, unseal
from identity.unit_of_work import IdentityUnitOfWork
from xudong.stack import Stack

pytestmark = pytest.mark.stack
KEK = key_encryption_key({"XUDONG_ENV": "development"})


def _claims(stack: Stack, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": stack.issuer,
        "aud": AUDIENCE,
        "sub": "staff-1",
        "role": "staff",
        "iat": now,
        "exp": now + 600,
    }
    return base | overrides


def _part(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()


def _dev_signed(claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(
        claims, jwt.PyJWK(DEV_KEY).key, algorithm="RS256", headers={"kid": DEV_KEY["kid"]} | headers
    )


def _hs256_with_the_public_key(stack: Stack) -> str:
    """The algorithm confusion: HMAC keyed with the published key's PEM, which anyone can read."""
    public = jwt.PyJWK(DEV_KEY).key.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT', 'kid': DEV_KEY['kid']})}.{_part(_claims(stack))}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"


def _tampered(stack: Stack) -> str:
    """An organiser's genuine token whose claims now say staff; the signature is the organiser's."""
    header, _, signature = token("organiser", "org-1")["Authorization"].removeprefix("Bearer ").split(".")
    return f"{header}.{_part(_claims(stack, sub='org-1'))}.{signature}"


def _theirs(stack: Stack, **headers: Any) -> str:
    """Signed by a key of the attacker's, named as ours, which the headers point to."""
    key = new_key(KEK, datetime.now(UTC), datetime.now(UTC))
    private = unseal(KEK, key)
    public = key.public_jwk | {"kid": DEV_KEY["kid"]}
    found = {"jwk": public, "jku": "http://127.0.0.1:9/jwks.json", "x5u": "http://127.0.0.1:9/cert.pem"}
    return jwt.encode(
        _claims(stack),
        private,
        algorithm="RS256",
        headers={"kid": DEV_KEY["kid"]} | {h: found[h] for h in headers},
    )


BAD: dict[str, Callable[[Stack], str]] = {
    "alg-none": lambda s: jwt.encode(_claims(s), "", algorithm="none", headers={"kid": DEV_KEY["kid"]}),
    "hs256-with-the-public-key": _hs256_with_the_public_key,
    "unknown-kid": lambda s: _dev_signed(_claims(s), kid="no-such-key"),
    "jwk-header": lambda s: _theirs(s, jwk=True),
    "jku-header": lambda s: _theirs(s, jku=True),
    "x5u-header": lambda s: _theirs(s, x5u=True),
    "expired": lambda s: _dev_signed(_claims(s, exp=int(time.time()) - 5)),
    "wrong-issuer": lambda s: _dev_signed(_claims(s, iss="https://elsewhere.example")),
    "wrong-audience": lambda s: _dev_signed(_claims(s, aud="another-app")),
    "tampered-claims": _tampered,
    "not-a-jwt": lambda s: "Bearer-nonsense",
}
# One route of each service that only a signed-in user may read.
ROUTES = {"venues": "/v1/review-queue", "booking": "/v1/venue-bookings", "notifications": "/v1/notifications"}


@pytest.mark.parametrize("service", list(ROUTES))
def test_every_service_refuses_tokens_its_issuer_did_not_sign_and_admits_its_own(
    platform: Stack, service: str
) -> None:
    url = f"http://127.0.0.1:{getattr(platform.ports, service)}{ROUTES[service]}"
    for name, make in BAD.items():
        answer = requests.get(url, headers={"Authorization": f"Bearer {make(platform)}"}, timeout=10)
        assert answer.status_code == 401, (name, answer.status_code, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json", name
    assert requests.get(url, timeout=10).status_code == 401  # no token at all
    admitted = requests.get(
        url, headers={"Authorization": f"Bearer {_dev_signed(_claims(platform))}"}, timeout=10
    )
    assert admitted.status_code == 200, admitted.text  # the refusals above are for what they change


def test_a_retired_key_signs_nothing_and_one_published_ahead_is_trusted_already(platform: Stack) -> None:
    """Keys of the identity service's: one retired, since the next had signed for longer than a
    token lives, and one published ahead of its turn. A token of each, to every service."""
    runtime = Runtime(
        Settings("identity", platform.database_url("identity"), platform.kafka_bootstrap), db.plumbing, {}
    )
    now = datetime.now(UTC)
    retired = new_key(KEK, now - timedelta(days=60), now - timedelta(days=60))
    next_of_retired = new_key(KEK, now - timedelta(days=31), now - timedelta(days=30))
    ahead = new_key(KEK, now, now + timedelta(days=365))
    with IdentityUnitOfWork(runtime) as uow:
        for key in (retired, next_of_retired, ahead):
            uow.add_key(key)
        uow.commit()
    try:
        kids = {
            k["kid"]
            for k in requests.get(f"{platform.issuer}/.well-known/jwks.json", timeout=10).json()["keys"]
        }
        assert ahead.kid in kids and retired.kid not in kids
        for service, route in ROUTES.items():
            url = f"http://127.0.0.1:{getattr(platform.ports, service)}{route}"

            def admitted(url: str = url) -> bool:
                """a token of the key published ahead admitted (its kid fetches the set again)"""
                answer = requests.get(url, headers=_signed_by(platform, ahead), timeout=10)
                return answer.status_code == 200

            eventually(admitted, timeout=30)
            refused = requests.get(url, headers=_signed_by(platform, retired), timeout=10)
            assert refused.status_code == 401, (service, refused.text)
    finally:
        with IdentityUnitOfWork(runtime) as uow:
            kids_made = [retired.kid, next_of_retired.kid, ahead.kid]
            uow.conn.execute(sa.delete(db.signing_keys).where(db.signing_keys.c.kid.in_(kids_made)))
            uow.commit()
        runtime.engine.dispose()


def _signed_by(stack: Stack, key: SigningKey) -> dict[str, str]:
    signed = jwt.encode(_claims(stack), unseal(KEK, key), algorithm="RS256", headers={"kid": key.kid})
    return {"Authorization": f"Bearer {signed}"}
