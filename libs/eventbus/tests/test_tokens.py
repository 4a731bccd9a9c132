"""Tokens as every service reads them: RS256 under a key id the issuer's key set publishes, and
nothing else; the key set fetched once, again for a key id it lacks, never more than once per
FLOOR seconds, and kept as long as the issuer's Cache-Control says."""

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from eventbus.auth import AUDIENCE, Principal, Unauthenticated, Verifier
from eventbus.devkey import DEV_KEY, development_public_key, development_token
from eventbus.jwks import FLOOR, JwksCache

ISSUER = "https://id.example.vn"


def _key(kid: str) -> tuple[Any, dict[str, Any]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key())) | {"kid": kid, "use": "sig"}
    return private, public


OURS, OURS_PUBLIC = _key("k1")
THEIRS, THEIRS_PUBLIC = _key("k1")  # an attacker's key, under our key's name


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Issuer:
    """The issuer's key set as its server answers it, counting the fetches."""

    def __init__(self, *keys: dict[str, Any], max_age: float | None = 300) -> None:
        self.keys, self.max_age, self.fetches, self.down = list(keys), max_age, 0, False

    def __call__(self, uri: str) -> tuple[dict[str, Any], float | None]:
        self.fetches += 1
        if self.down:
            raise ValueError("unreachable")
        return {"keys": self.keys}, self.max_age


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "role": "staff", "iat": now, "exp": now + 60}
    return base | overrides


def _signed(claims: dict[str, Any], key: Any = OURS, **headers: Any) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"} | headers)


def _verifier(issuer: Issuer | None = None, development: bool = False) -> Verifier:
    return Verifier(
        JwksCache("https://id.example.vn/jwks", issuer or Issuer(OURS_PUBLIC)), ISSUER, development
    )


def test_a_token_signed_by_a_published_key_reads_back_as_its_principal() -> None:
    token = _signed(_claims(sub="m1", role="venue_manager", venues=["v1", "v2"]))
    assert _verifier().read(token) == Principal("m1", "venue_manager", ("v1", "v2"))


def _hs256_with_public_key() -> str:
    """The algorithm confusion: HMAC keyed with the public key's PEM, which anyone has."""
    pem = OURS.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1"}).encode()).decode()
    body = jwt.utils.base64url_encode(json.dumps(_claims()).encode()).decode()
    mac = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{jwt.utils.base64url_encode(mac).decode()}"


def _tampered() -> str:
    """An organiser's genuine token whose claims now say staff; the signature is the organiser's."""
    header, _, signature = _signed(_claims(role="organiser")).split(".")
    body = jwt.utils.base64url_encode(json.dumps(_claims()).encode()).decode()
    return f"{header}.{body}.{signature}"


BAD: dict[str, Callable[[], str]] = {
    "alg-none": lambda: jwt.encode(_claims(), "", algorithm="none", headers={"kid": "k1"}),
    "hs256-with-the-public-key": _hs256_with_public_key,
    "unknown-kid": lambda: _signed(_claims(), kid="k9"),
    "no-kid": lambda: jwt.encode(_claims(), OURS, algorithm="RS256"),
    "jwk-header": lambda: _signed(_claims(), THEIRS, jwk=THEIRS_PUBLIC),
    "jku-header": lambda: _signed(_claims(), THEIRS, jku="https://evil.example/jwks.json"),
    "x5u-header": lambda: _signed(_claims(), THEIRS, x5u="https://evil.example/cert.pem"),
    "expired": lambda: _signed(_claims(exp=int(time.time()) - 10)),
    "wrong-issuer": lambda: _signed(_claims(iss="https://elsewhere.example")),
    "wrong-audience": lambda: _signed(_claims(aud="another-app")),
    "unknown-role": lambda: _signed(_claims(role="admin")),
    "tampered": _tampered,
    "development-key": lambda: development_token(ISSUER, "staff", "u1"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_token_not_signed_as_the_issuer_signs_is_refused(name: str) -> None:
    with pytest.raises(Unauthenticated):
        _verifier().read(BAD[name]())


def test_the_development_key_is_read_only_in_development_and_only_if_published() -> None:
    token = development_token(ISSUER, "organiser", "o1")
    with pytest.raises(Unauthenticated):  # outside development, even were it published
        _verifier(Issuer(OURS_PUBLIC, development_public_key())).read(token)
    with pytest.raises(Unauthenticated):  # in development, when the issuer does not publish it
        _verifier(Issuer(OURS_PUBLIC), development=True).read(token)
    assert _verifier(Issuer(development_public_key()), development=True).read(token).sub == "o1"
    assert "d" not in development_public_key() and "d" in DEV_KEY


def test_the_key_set_is_fetched_once_and_kept_for_its_max_age() -> None:
    issuer, clock = Issuer(OURS_PUBLIC, max_age=300), Clock()
    keys = JwksCache("u", issuer, clock)
    for _ in range(50):
        keys.key("k1")
    assert issuer.fetches == 1
    clock.now += 299
    keys.key("k1")
    assert issuer.fetches == 1
    clock.now += 2
    keys.key("k1")
    assert issuer.fetches == 2


def test_an_unknown_kid_fetches_again_but_at_most_once_per_floor() -> None:
    issuer, clock = Issuer(OURS_PUBLIC), Clock()
    keys = JwksCache("u", issuer, clock)
    keys.key("k1")
    for _ in range(20):  # made-up key ids: one fetch per FLOOR at most
        with pytest.raises(Unauthenticated):
            keys.key("made-up")
    assert issuer.fetches == 1  # the first look was this second: FLOOR has not passed
    _, new = _key("k2")
    issuer.keys.append(new)  # the issuer publishes its next key
    clock.now += FLOOR
    assert keys.key("k2") is not None
    assert issuer.fetches == 2


def test_while_the_issuer_is_unreachable_the_keys_fetched_before_stay() -> None:
    issuer, clock = Issuer(OURS_PUBLIC, max_age=60), Clock()
    keys = JwksCache("u", issuer, clock)
    keys.key("k1")
    issuer.down = True
    clock.now += 120
    assert keys.key("k1") is not None
    assert issuer.fetches == 2


def test_a_key_the_issuer_stops_publishing_is_refused_once_the_cached_set_is_stale() -> None:
    issuer, clock = Issuer(OURS_PUBLIC, max_age=60), Clock()
    verifier = Verifier(JwksCache("u", issuer, clock), ISSUER)
    token = _signed(_claims())
    verifier.read(token)
    issuer.keys = []  # retired
    clock.now += 61
    with pytest.raises(Unauthenticated):
        verifier.read(token)
