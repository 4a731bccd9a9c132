"""The issuer's JSON Web Key Set, fetched when first needed and kept as long as the issuer's
Cache-Control allows (between FLOOR and CEILING seconds); a token under a key id the set lacks
fetches it again at once, since a new key is published before it signs, but never more than once
per FLOOR seconds, so that tokens with made-up key ids cannot make every request a fetch."""

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
import requests

from eventbus.auth import ALGORITHMS, Unauthenticated

FLOOR = 10.0  # the least time between two fetches
CEILING = 3600.0  # the longest a fetched set is kept, whatever the issuer says
TIMEOUT = 5.0


def fetch_jwks(uri: str) -> tuple[dict[str, Any], float | None]:
    """The key set at `uri` and the seconds its Cache-Control max-age gives (None if it gives none)."""
    answer = requests.get(uri, timeout=TIMEOUT, allow_redirects=False)
    answer.raise_for_status()
    age = re.search(r"max-age=(\d+)", answer.headers.get("Cache-Control", ""))
    return answer.json(), float(age[1]) if age else None


class JwksCache:
    def __init__(
        self,
        uri: str,
        fetch: Callable[[str], tuple[dict[str, Any], float | None]] = fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.uri = uri
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched = float("-inf")
        self._fresh_until = float("-inf")

    def key(self, kid: str) -> Any:
        with self._lock:
            now = self._clock()
            stale = now >= self._fresh_until
            if (stale or kid not in self._keys) and now - self._fetched >= FLOOR:
                self._refresh(now)
            if kid not in self._keys:
                raise Unauthenticated(f"the issuer publishes no key {kid!r}")
            return self._keys[kid]

    def _refresh(self, now: float) -> None:
        """The set fetched again; while the issuer cannot be reached, the keys fetched before
        stay (and FLOOR passes before the next try)."""
        self._fetched = now
        try:
            document, max_age = self._fetch(self.uri)
            keys = {
                k["kid"]: jwt.PyJWK(k, algorithm=ALGORITHMS[0]).key
                for k in document.get("keys", [])
                if isinstance(k, dict)
                and k.get("kid")
                and k.get("kty") == "RSA"
                and k.get("use", "sig") == "sig"
            }
        except (requests.RequestException, ValueError, jwt.PyJWTError):
            return
        self._keys = keys
        self._fresh_until = now + min(max(max_age if max_age is not None else FLOOR, FLOOR), CEILING)
