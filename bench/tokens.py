"""What verifying a token by the issuer's key set costs an authenticated read, next to the HS256
verification with one shared secret that the services did before (`bench/tokens.py`).

The read is an organiser's inbox, `GET /v1/notifications`, in the notifications app run in this
process (Flask's test client, so that only the app's own work is timed) on the stack's database.
Its token is verified by the Verifier every service uses, RS256 with the key set fetched from the
running identity service and cached, and, in the rounds between, by an HS256 verifier as the
services had it. READS reads of each, one of each in turn, each timed on its own; the median read
of each is reported, and their ratio: reads a millisecond apart meet whatever else the machine does
alike, and the median leaves out the reads it interrupted (rounds of a few hundred reads each, the
first way of measuring, gave ratios from +1% to +18% over five runs of the same code)."""

import time
from dataclasses import dataclass

import jwt

from bench.stats import median
from eventbus.auth import AUDIENCE, Principal, Verifier
from eventbus.settings import Settings
from notifications import create_app
from xudong.stack import Stack

WARM_UP, READS = 200, 3000
SECRET = "a-bench-only-shared-secret-of-enough-length-0123456789"


@dataclass(frozen=True)
class SharedSecret:
    """The verification the services did before: HS256 with one secret all of them held."""

    issuer: str

    def read(self, token: str) -> Principal:
        claims = jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            issuer=self.issuer,
            audience=AUDIENCE,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        return Principal(str(claims["sub"]), claims["role"], tuple(claims.get("venues", [])))


def _hs256(issuer: str) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": "bench-org",
        "role": "organiser",
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


def run(stack: Stack) -> list[tuple[str, str, str]]:
    stack.start_services()
    try:
        env = stack.service_env() | {"XUDONG_LOG_LEVEL": "WARNING"}
        app = create_app(Settings.from_env("notifications", env))
        by_keys: Verifier = app.extensions["verifier"]
        ways = {
            "RS256 by the issuer's key set": (by_keys, stack.token("organiser", "bench-org")),
            "HS256 with a shared secret (before)": (SharedSecret(stack.issuer), _hs256(stack.issuer)),
        }
        client = app.test_client()
        seconds: dict[str, list[float]] = {name: [] for name in ways}
        for read in range(WARM_UP + READS):  # the first reads warm up, and are not counted
            for name, (verifier, token) in ways.items():
                app.extensions["verifier"] = verifier
                began = time.perf_counter()
                answer = client.get(
                    "/v1/notifications?limit=20", headers={"Authorization": f"Bearer {token}"}
                )
                took = time.perf_counter() - began
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {answer.status_code} {answer.get_data(as_text=True)}")
                if read >= WARM_UP:
                    seconds[name].append(took)
        keys, shared = (median(seconds[name]) for name in ways)
        measure = f"one read, median of {READS}, the two ways in turn"
        return [
            ("GET /v1/notifications, token verified by JWKS (RS256)", measure, f"{keys * 1000:.2f} ms"),
            (
                "GET /v1/notifications, token verified by a shared secret (HS256)",
                measure,
                f"{shared * 1000:.2f} ms",
            ),
            (
                "JWKS verification next to HS256",
                "cost of the read",
                f"{keys / shared:.3f}× ({(keys / shared - 1) * 100:+.1f}%)",
            ),
        ]
    finally:
        stack.stop_services()
