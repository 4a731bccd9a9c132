"""The one download of a person's data: identity's part, and the part each other service holds,
fetched from it with the person's own token (GET /v1/me/data/<service>), a read the person waits
on. A part that cannot be fetched fails the whole download: one that left a part out would say
the platform holds less of them than it does."""

from typing import Any

import requests

from eventbus.logs import correlation_id
from eventbus.observability import CORRELATION_HEADER

TIMEOUT = 10.0


class Unavailable(Exception):
    """A service did not give its part; its name is the message."""


def gather(authorization: str, holders: dict[str, str]) -> dict[str, Any]:
    """Each service's part, by its name, asked for with the caller's Authorization header."""
    headers = {"Authorization": authorization}
    if correlation_id.get():  # the request's, for the logs of each to tell one story
        headers[CORRELATION_HEADER] = correlation_id.get()
    parts: dict[str, Any] = {}
    for name, base in holders.items():
        try:
            answer = requests.get(f"{base}/v1/me/data/{name}", headers=headers, timeout=TIMEOUT)
            answer.raise_for_status()
            parts[name] = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise Unavailable(name) from exc
    return parts
