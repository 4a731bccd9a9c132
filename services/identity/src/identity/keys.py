"""The identity service's signing keys. Each is RSA 2048, named by its JWK thumbprint (RFC 7638)
and kept sealed with AES-GCM. A key is published AHEAD of signing, so that every service's cached
key set holds it before a token names it; it signs until the next key does, and stays published
until the last token it signed has expired (TOKEN_LIFETIME) and the key sets cached then are
stale too; after that it is retired: no longer published, so what it signed is refused."""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from eventbus.auth import ALGORITHMS

TOKEN_LIFETIME = timedelta(minutes=10)  # the longest any token the service signs is valid


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public_jwk: dict[str, Any]
    sealed_private: bytes
    created_at: datetime  # published from then
    signs_from: datetime


def seal(kek: bytes, label: str, secret: bytes) -> bytes:
    """`secret` encrypted under `kek`, bound to `label` (a row's key): moved to another row, it
    no longer opens."""
    nonce = os.urandom(12)
    return nonce + AESGCM(kek).encrypt(nonce, secret, label.encode())


def opened(kek: bytes, label: str, sealed: bytes) -> bytes:
    """What `seal` sealed; a wrong key-encryption key, label or changed bytes fail here."""
    return AESGCM(kek).decrypt(sealed[:12], sealed[12:], label.encode())


def unseal(kek: bytes, key: SigningKey) -> Any:
    """The private key, for signing."""
    return serialization.load_pem_private_key(opened(kek, key.kid, key.sealed_private), password=None)


def new_key(kek: bytes, now: datetime, signs_from: datetime) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    kid = thumbprint(public)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwk = {"kty": "RSA", "n": public["n"], "e": public["e"], "kid": kid, "alg": ALGORITHMS[0], "use": "sig"}
    return SigningKey(kid, jwk, seal(kek, kid, pem), now, signs_from)


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: the SHA-256 of the key's required members, in order and without spaces."""
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).decode().rstrip("=")


def signing(keys: list[SigningKey], now: datetime) -> SigningKey | None:
    """The key that signs at `now`: the one that began signing last."""
    began = [k for k in keys if k.signs_from <= now]
    return max(began, key=lambda k: k.signs_from) if began else None


def published(keys: list[SigningKey], now: datetime, cached: timedelta) -> list[SigningKey]:
    """The keys to publish at `now`: each from its creation until its successor has signed for
    longer than a token lives plus `cached`, the longest a service keeps a key set it fetched."""
    ordered = sorted(keys, key=lambda k: k.signs_from)
    successors = [k.signs_from for k in ordered[1:]] + [None]
    return [
        k
        for k, then in zip(ordered, successors, strict=True)
        if k.created_at <= now and (then is None or now < then + TOKEN_LIFETIME + cached)
    ]


def next_key_due(
    keys: list[SigningKey], now: datetime, every: timedelta, ahead: timedelta
) -> datetime | None:
    """When the next key must begin signing, if it must be made now: the first key signs at
    once; a later one `ahead` after it is made, once the newest has signed for `every` less
    `ahead`. None when no key is due."""
    if not keys:
        return now
    newest = max(k.signs_from for k in keys)
    if newest + every - ahead <= now:
        return max(now + ahead, newest)
    return None
