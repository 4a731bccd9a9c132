"""Bearer JWTs: one algorithm, fixed here, never taken from the token."""

import time
from dataclasses import dataclass

import jwt

ALGORITHMS = ["HS256"]
ISSUER = "xudong-stages"
AUDIENCE = "xudong-stages"
ROLES = ("organiser", "venue_manager", "staff")


class Unauthenticated(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    venues: tuple[str, ...] = ()


def issue_token(secret: str, role: str, sub: str, venues: tuple[str, ...] = (), ttl: int = 12 * 3600) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "role": role,
        "venues": list(venues),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHMS[0])


def read_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=ALGORITHMS,
            issuer=ISSUER,
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
