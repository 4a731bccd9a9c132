"""The identity service on the running platform: its worker has made a signing key, which the key
set publishes under its thumbprint, without its private half, beside the development key (the
platform runs in development), for as long as the Cache-Control says; and a token that key signs
is let in by the services."""

import jwt
import pytest
import requests
import sqlalchemy as sa

from conftest import eventually
from eventbus.auth import AUDIENCE
from eventbus.devkey import development_public_key
from identity import db
from identity.config import key_encryption_key
from identity.keys import SigningKey, thumbprint, unseal
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def _signing_key(stack: Stack) -> SigningKey | None:
    """the worker's newest key: published from the moment it is made (the first one is retired
    once its successors have signed long enough, on a platform whose database outlived an hour)"""
    engine = sa.create_engine(stack.database_url("identity"))
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(db.signing_keys).order_by(db.signing_keys.c.created_at.desc()).limit(1)
            ).first()
    finally:
        engine.dispose()
    return (
        SigningKey(row.kid, row.public_jwk, row.sealed_private, row.created_at, row.signs_from)
        if row
        else None
    )


def test_the_key_set_publishes_the_workers_key_and_in_development_the_development_key(
    platform: Stack,
) -> None:
    key = eventually(lambda: _signing_key(platform))
    answer = requests.get(f"{platform.issuer}/.well-known/jwks.json", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=300"
    published = {k["kid"]: k for k in answer.json()["keys"]}
    assert published[key.kid] == key.public_jwk and key.kid == thumbprint(key.public_jwk)
    assert published[development_public_key()["kid"]] == development_public_key()
    assert all(set(k) == {"kty", "n", "e", "kid", "alg", "use"} for k in published.values())


def test_a_token_the_identity_services_key_signs_is_let_in(platform: Stack) -> None:
    key = eventually(lambda: _signing_key(platform))
    private = unseal(key_encryption_key({"XUDONG_ENV": "development"}), key)
    claims = {"iss": platform.issuer, "aud": AUDIENCE, "sub": "o-1", "role": "organiser", "exp": 2**31}
    signed = jwt.encode(claims, private, algorithm="RS256", headers={"kid": key.kid})
    url = f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings"
    answer = requests.get(url, headers={"Authorization": f"Bearer {signed}"}, timeout=10)
    assert answer.status_code == 200, answer.text
