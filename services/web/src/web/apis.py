"""The other services' HTTP APIs, called with the signed-in person's token (kept on the server):
an answer, a refusal the page shows next to its fields, or Unavailable, which becomes a page
that says to try again."""

from dataclasses import dataclass, field
from typing import Any

import requests
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


_session = requests.Session()
# the services are called by their own addresses: no proxy settings read from the environment on
# every call (requests otherwise walks os.environ each time, a tenth of a page's own cost)
_session.trust_env = False


def call(
    service: str,
    method: str,
    path: str,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    **sent: Any,
) -> requests.Response:
    """The service's answer to `method path`; a 4xx is raised as Refusal, no answer or a 5xx as
    Unavailable. The browser's address goes along, for the services' per-client limits."""
    sending = {"X-Forwarded-For": request.remote_addr or "", "X-Correlation-ID": correlation_id.get()}
    if token:
        sending["Authorization"] = f"Bearer {token}"
    try:
        answer = _session.request(
            method, _base(service) + path, headers=sending | (headers or {}), timeout=TIMEOUT, **sent
        )
    except requests.RequestException as exc:
        raise Unavailable(service) from exc
    if answer.status_code >= 500:
        raise Unavailable(service)
    if answer.status_code >= 400:
        problem = _json(answer)
        errors = problem.get("errors")
        fields = errors if isinstance(errors, dict) else {}
        raise Refusal(answer.status_code, str(problem.get("title", "")), fields, problem)
    return answer


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def read(service: str, path: str, token: str | None = None, **sent: Any) -> Any:
    return call(service, "GET", path, token, **sent).json()
