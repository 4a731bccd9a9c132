"""The other services' HTTP APIs, called with the signed-in person's token (kept on the server):
an answer, a refusal the page shows next to its fields, or Unavailable, which becomes a page
that says to try again."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import urllib3
from flask import current_app, request

from eventbus.logs import correlation_id
from web.config import WebSettings

TIMEOUT = (3.05, 15)  # connect, read: a page waits no longer than this for a service


class Unavailable(Exception):
    """A service did not answer, or answered that it cannot now (5xx)."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


@dataclass
class Refusal(Exception):
    """A 4xx answer: its status, title and the field errors, field by field."""

    status: int
    title: str
    errors: dict[str, Any] = field(default_factory=dict)
    problem: dict[str, Any] = field(default_factory=dict)  # the whole problem+json


def _base(service: str) -> str:
    settings: WebSettings = current_app.extensions["web_settings"]
    return str(getattr(settings, f"{service}_url"))


# urllib3 directly (what requests is built on): a third of the CPU a call costs the page, without
# requests' layers (its proxy settings read from the environment, its hooks and adapters)
_pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=TIMEOUT[0], read=TIMEOUT[1]))


def call(
    service: str,
    method: str,
    path: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    json: Any = None,
) -> urllib3.BaseHTTPResponse:
    """The service's answer to `method path` (`params` its query, `json` its body); a 4xx is raised
    as Refusal, no answer, a redirect or a 5xx as Unavailable. The browser's address goes along, for the
    services' per-client limits."""
    sending = {"X-Forwarded-For": request.remote_addr or "", "X-Correlation-ID": correlation_id.get()}
    if token:
        sending["Authorization"] = f"Bearer {token}"
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    url = _base(service) + path + (f"?{query}" if query else "")
    try:
        answer = _pool.request(method, url, headers=sending | (headers or {}), json=json)
    except urllib3.exceptions.HTTPError as exc:
        raise Unavailable(service) from exc
    if answer.status >= 500 or 300 <= answer.status < 400:  # the services do not redirect: a proxy did
        raise Unavailable(service)
    if answer.status >= 400:
        problem = _json(answer)
        errors = problem.get("errors")
        fields = errors if isinstance(errors, dict) else {}
        raise Refusal(answer.status, str(problem.get("title", "")), fields, problem)
    return answer


def _json(answer: urllib3.BaseHTTPResponse) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def read(service: str, path: str, token: str | None = None, params: dict[str, Any] | None = None) -> Any:
    return call(service, "GET", path, token, params=params).json()
