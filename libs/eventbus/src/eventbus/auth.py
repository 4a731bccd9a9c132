"""Bearer JWTs, verified by the public keys the OpenID Connect issuer publishes: one asymmetric
algorithm, fixed here and never taken from the token; the key named by the token's `kid` and
found in the issuer's key set, never one the token points to (`jku`, `x5u`, `jwk` are ignored)."""

import json
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from jwt.utils import base64url_decode

ALGORITHMS = ["RS256"]
AUDIENCE = "xudong-stages"
ROLES = ("buyer", "organiser", "venue_manager", "staff")  # buyer: anyone with an account
DEV_KID = "xudong-development"  # the committed development key's (eventbus.devkey)


class Unauthenticated(Exception):
    pass


def _header(token: str) -> dict[str, Any]:
    """The token's header alone, read only to pick the key (jwt.decode then checks the whole token,
    its header too). PyJWT's get_unverified_header reads every segment, the 342 characters of an
    RS256 signature one at a time in Python, which decode does again: two fifths of a read's cost
    of verifying (bench/tokens.py)."""
    try:
        header = json.loads(base64url_decode(token.split(".", 1)[0]))
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise Unauthenticated("not a JWT") from exc
    if not isinstance(header, dict):
        raise Unauthenticated("not a JWT")
    return header


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    venues: tuple[str, ...] = ()


class KeySet(Protocol):
    def key(self, kid: str) -> Any:
        """The public key published under `kid`; Unauthenticated if the issuer publishes none."""


@dataclass(frozen=True)
class Verifier:
    """Reads the tokens `issuer` signs with the keys of `keys`; the development key's kid only
    when `development` (anywhere else, a key set that held it would be a mistake to trust)."""

    keys: KeySet
    issuer: str
    development: bool = False

    def read(self, token: str) -> Principal:
        try:
            header = _header(token)
            kid = header.get("kid")
            if header.get("alg") not in ALGORITHMS or not isinstance(kid, str):
                raise Unauthenticated(f"tokens are signed with {ALGORITHMS[0]} under a key id")
            if kid == DEV_KID and not self.development:
                raise Unauthenticated("the development key signs no token here")
            claims = jwt.decode(
                token,
                self.keys.key(kid),
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                audience=AUDIENCE,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(str(exc)) from exc
        role = claims.get("role")
        venues = claims.get("venues", [])
        if role not in ROLES or not isinstance(venues, list):
            raise Unauthenticated("token has no valid role")
        return Principal(sub=str(claims["sub"]), role=role, venues=tuple(map(str, venues)))
