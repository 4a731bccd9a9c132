"""Driving the identity service as people and clients do: sign-up by its API, the links and codes
from MailDev and the SMS receiver, and the authorization code flow with PKCE by Authlib's OIDC
client, one form of the provider's sign-in pages after another."""

import html
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from conftest import token
from tests.e2e.test_notifications import mails_to
from tests.e2e.ticket_fixtures import somewhere
from xudong.stack import Stack

PASSWORD = "hát chèo ở Hải Dương 1975"
CLIENT = "xudong-web"
PRIVACY_NOTICE = "2026-12-01"


def new_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.vn"


def sign_up_body(email: str, **changed: Any) -> dict[str, Any]:
    organisation = {
        "name": "Đoàn Chèo Xứ Đông",
        "kind": "troupe",
        "tax_code": None,
        "address": None,
        "contact": None,
    }
    return {
        "email": email,
        "password": PASSWORD,
        "display_name": "Đoàn Chèo Xứ Đông",
        "language": "vi",
        "privacy_notice": PRIVACY_NOTICE,
        "organisation": organisation,
        **changed,
    }


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return html.unescape(found[1])


def link_in(stack: Stack, email: str, path: str, wanted: int = 1) -> str:
    """The link to `path` in the newest of `wanted` emails to `email`."""
    mails = mails_to(stack, email, wanted)
    link = re.search(rf"http://\S+{path}\?token=[\w-]+", mails[-1]["text"])
    assert link, mails[-1]["text"]
    return link[0]


def verify_by_email(stack: Stack, email: str) -> None:
    """The link in the email opens a page whose button confirms the address."""
    opened = requests.get(link_in(stack, email, "/verify-email"), timeout=10)
    assert opened.status_code == 200
    confirmed = requests.post(
        f"{stack.issuer}/verify-email", data={"token": hidden(opened.text, "token")}, timeout=10
    )
    assert confirmed.status_code == 200, confirmed.text
    assert "đã được xác nhận" in confirmed.text


def signed_up(stack: Stack, tag: str, **changed: Any) -> str:
    """A verified account's email."""
    email = new_email(tag)
    answer = requests.post(f"{stack.issuer}/v1/accounts", json=sign_up_body(email, **changed), timeout=30)
    assert answer.status_code == 202, answer.text
    verify_by_email(stack, email)
    return email


def user_id(stack: Stack, email: str) -> str:
    found = requests.get(
        f"{stack.issuer}/v1/users", params={"email": email}, headers=token("staff", "staff-1"), timeout=10
    )
    assert found.status_code == 200, found.text
    return str(found.json()["user_id"])


def granted(stack: Stack, email: str, role: str) -> str:
    """Staff grant the account its role; its user id."""
    user = user_id(stack, email)
    answer = requests.put(
        f"{stack.issuer}/v1/users/{user}/role",
        json={"role": role},
        headers=token("staff", "staff-1"),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return user


@dataclass
class Browser:
    """One person's sign-in at the provider for the web front, by Authlib's client."""

    stack: Stack
    session: OAuth2Session = field(init=False)
    verifier: str = field(default_factory=lambda: generate_token(48))
    nonce: str = field(default_factory=lambda: generate_token(20))
    page: requests.Response | None = None

    def __post_init__(self) -> None:
        redirect = f"http://127.0.0.1:{self.stack.ports.web}/auth/callback"
        self.session = OAuth2Session(
            CLIENT, redirect_uri=redirect, scope="openid profile email", code_challenge_method="S256"
        )
        # each person signs in from an address of their own, as the tests' proxy passes it on: the
        # provider's per-address count of failures is theirs, not every test's from 127.0.0.1
        self.session.headers.update(somewhere())
        self.provider = requests.get(
            f"{self.stack.issuer}/.well-known/openid-configuration", timeout=10
        ).json()

    def start(self, **params: str) -> requests.Response:
        """The provider's sign-in page, as the web front sends the person there (`params`: more of
        the request, such as ui_locales)."""
        url, _ = self.session.create_authorization_url(
            self.provider["authorization_endpoint"], code_verifier=self.verifier, nonce=self.nonce, **params
        )
        self.page = self.session.get(url, withhold_token=True, timeout=10)
        return self.page

    def post(self, step: str, **fields: str) -> requests.Response:
        """The page's form for `step`, sent with `fields`; the next page, or the redirect back."""
        assert self.page is not None
        action = html.unescape(re.findall(r'<form method="post" action="([^"]*)"', self.page.text)[0])
        data = {"step": step, "csrf_token": hidden(self.page.text, "csrf_token"), **fields}
        answer: requests.Response = self.session.post(
            f"{self.stack.issuer}{action}", data=data, allow_redirects=False, withhold_token=True, timeout=30
        )
        if answer.status_code != 302:
            self.page = answer
        return answer

    def tokens(self, redirected: requests.Response) -> dict[str, Any]:
        assert redirected.status_code == 302, redirected.text
        location = redirected.headers["Location"]
        assert location.startswith(self.session.redirect_uri)
        fetched = self.session.fetch_token(
            self.provider["token_endpoint"],
            authorization_response=location,
            code_verifier=self.verifier,
            timeout=10,
        )
        return dict(fetched)

    def with_password(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.start()
        return self.post("password", email=email, password=password)


def sign_in(stack: Stack, email: str, password: str = PASSWORD) -> dict[str, Any]:
    browser = Browser(stack)
    return browser.tokens(browser.with_password(email, password))


def claims(stack: Stack, id_token: str) -> dict[str, Any]:
    """An ID token's claims, its signature checked by the provider's published keys."""
    key = jwt.PyJWKClient(f"{stack.issuer}/.well-known/jwks.json").get_signing_key_from_jwt(id_token).key
    read: dict[str, Any] = jwt.decode(
        id_token, key, algorithms=["RS256"], audience=CLIENT, issuer=stack.issuer
    )
    return read


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
