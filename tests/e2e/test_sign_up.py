"""The whole sign-up on the real stack: an account, the link in MailDev, the address verified, a
sign-in through the authorization code flow with PKCE driven by Authlib's OIDC client over HTTP,
the tokens, and the access token accepted by booking; refresh tokens that rotate. The pages in
Vietnamese first, in English when the browser or the client asks."""

import jwt
import pytest
import requests

from eventbus.auth import AUDIENCE
from tests.e2e.identity_flows import (
    CLIENT,
    Browser,
    bearer,
    claims,
    new_email,
    sign_in,
    sign_up_body,
    signed_up,
)
from tests.e2e.test_sign_in import WRONG
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_an_organiser_signs_up_verifies_signs_in_and_is_accepted_by_booking(platform: Stack) -> None:
    email = signed_up(platform, "doan-cheo")
    browser = Browser(platform)
    tokens = browser.tokens(browser.with_password(email))
    identity = claims(platform, tokens["id_token"])
    assert (identity["nonce"], identity["email"], identity["email_verified"]) == (browser.nonce, email, True)
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert (access["aud"], access["role"], access["sub"]) == (AUDIENCE, "organiser", identity["sub"])

    bookings = requests.get(
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings", headers=bearer(tokens), timeout=10
    )
    assert bookings.status_code == 200, bookings.text
    me = requests.get(f"{platform.issuer}/v1/me", headers=bearer(tokens), timeout=10).json()
    assert (me["role"], me["organisation"]["kind"], me["email_verified"]) == ("organiser", "troupe", True)
    info = requests.get(f"{platform.issuer}/userinfo", headers=bearer(tokens), timeout=10).json()
    assert (info["sub"], info["email"]) == (identity["sub"], email)


def test_an_unverified_account_is_told_to_open_its_link_first(platform: Stack) -> None:
    email = new_email("chua-xac-nhan")
    assert (
        requests.post(f"{platform.issuer}/v1/accounts", json=sign_up_body(email), timeout=30).status_code
        == 202
    )
    refused = Browser(platform).with_password(email)
    assert refused.status_code == 403
    assert "Hãy xác nhận email của bạn trước" in refused.text


def test_a_refresh_token_rotates_and_its_reuse_revokes_the_family(platform: Stack) -> None:
    tokens = sign_in(platform, signed_up(platform, "lam-moi"))

    def refresh(token: str) -> requests.Response:
        body = {"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT}
        return requests.post(f"{platform.issuer}/token", data=body, timeout=10)

    first = refresh(tokens["refresh_token"])
    assert first.status_code == 200, first.text
    second = first.json()["refresh_token"]
    assert second != tokens["refresh_token"]
    reused = refresh(tokens["refresh_token"])  # the old one again: stolen, or leaked
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    revoked = refresh(second)  # the newest of the family went with it
    assert (revoked.status_code, revoked.json()["error"]) == (400, "invalid_grant")


def test_logout_with_the_id_token_ends_the_sign_in_and_its_refresh_tokens(platform: Stack) -> None:
    browser = Browser(platform)
    tokens = browser.tokens(browser.with_password(signed_up(platform, "dang-xuat")))
    out = browser.session.get(
        f"{platform.issuer}/logout",
        params={"id_token_hint": tokens["id_token"]},
        withhold_token=True,
        timeout=10,
    )
    assert out.status_code == 200 and "Bạn đã đăng xuất" in out.text
    body = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT}
    assert requests.post(f"{platform.issuer}/token", data=body, timeout=10).json()["error"] == "invalid_grant"
    again = browser.start()  # the provider asks for the password again
    assert again.status_code == 200 and 'name="password"' in again.text


SPOKEN = {
    "vi": ("Quên mật khẩu?", "Email hoặc mật khẩu không đúng."),
    "en": ("Forgot your password?", "The email or password is not right."),
}


@pytest.mark.parametrize(
    ("browser_asks", "client_asks", "language"),
    [
        (None, None, "vi"),
        ("en-GB,en;q=0.9", None, "en"),
        ("fr-FR,fr;q=0.9", None, "vi"),  # a language the pages do not speak
        ("vi", "en", "en"),  # the client's ui_locales before the browser's
        ("en", "fr vi", "vi"),
    ],
)
def test_the_pages_speak_vietnamese_first_and_english_when_asked(
    platform: Stack, browser_asks: str | None, client_asks: str | None, language: str
) -> None:
    browser = Browser(platform)
    if browser_asks:
        browser.session.headers["Accept-Language"] = browser_asks
    page = browser.start(**({"ui_locales": client_asks} if client_asks else {}))
    link, refusal = SPOKEN[language]
    other_link, other_refusal = SPOKEN["en" if language == "vi" else "vi"]
    assert f'<html lang="{language}">' in page.text
    assert link in page.text and other_link not in page.text
    refused = browser.post("password", email=new_email("ngon-ngu"), password=WRONG)
    assert refused.status_code == 401
    assert refusal in refused.text and other_refusal not in refused.text
