"""Signing in through the identity service (OpenID Connect, code flow with PKCE, by Authlib's
client): the tokens stay in the server-side session; the browser holds only its cookie."""

import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response

from web.config import WebSettings

CLIENT = "xudong-web"
REFRESH_BEFORE = 30  # seconds before an access token ends, a new one is fetched
oauth = OAuth()
account = Blueprint("account", __name__)


def install(app: Flask, settings: WebSettings) -> None:
    oauth.init_app(app)
    # The endpoints named one by one, not read from the discovery document: browsers reach the
    # provider at its issuer URL, this server may reach it by another (a container's name).
    oauth.register(
        "identity",
        client_id=CLIENT,
        authorize_url=f"{settings.issuer}/authorize",
        access_token_url=f"{settings.identity_url}/token",
        jwks_uri=f"{settings.identity_url}/.well-known/jwks.json",
        issuer=settings.issuer,
        client_kwargs={
            "scope": "openid profile email offline_access",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "none",
        },
    )
    app.register_blueprint(account)


def person() -> dict[str, Any] | None:
    """Who is signed in: sub, name, email, role and venues; None for the public."""
    found: dict[str, Any] | None = session.get("person")
    return found


def access_token() -> str | None:
    """The signed-in person's access token, renewed by the refresh token when it is about to end;
    None for the public, or when the sign-in has ended at the provider."""
    token: dict[str, Any] | None = session.get("token")
    if token is None:
        return None
    if token.get("expires_at", 0) - REFRESH_BEFORE < time.time():
        try:
            token = dict(
                oauth.identity.fetch_access_token(
                    grant_type="refresh_token", refresh_token=token["refresh_token"]
                )
            )
        except OAuthError:  # a refresh token refused (revoked, used, expired): signed out
            current_app.logger.info("refresh refused: the person is signed out")
            session.clear()
            return None
        _keep(token)
    return str(token["access_token"])


def _keep(token: dict[str, Any]) -> None:
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    previous = session.get("person", {})
    session["token"] = {k: token[k] for k in ("access_token", "refresh_token", "expires_at") if k in token}
    session["id_token"] = token.get("id_token", session.get("id_token"))
    session["person"] = previous | {"sub": claims["sub"], "role": claims["role"], "venues": claims["venues"]}


def _safe_next(target: str | None) -> str:
    """Only a path of ours: an open redirect would send people to someone else's page."""
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or not target.startswith("/"):
        return url_for("public.home")
    return target


@account.get("/sign-in")
def sign_in() -> Response:
    session["after_sign_in"] = _safe_next(request.args.get("next"))
    settings: WebSettings = current_app.extensions["web_settings"]
    language = session.get("language", "vi")
    redirect_uri = f"{settings.public_url}/auth/callback"
    answer: Response = oauth.identity.authorize_redirect(redirect_uri, ui_locales=language)
    return answer


@account.get("/auth/callback")
def signed_in() -> Response:
    token = oauth.identity.authorize_access_token()
    userinfo = token.get("userinfo") or {}
    session["person"] = {"name": userinfo.get("name", ""), "email": userinfo.get("email", "")}
    _keep(dict(token))
    return redirect(session.pop("after_sign_in", url_for("public.home")))


@account.post("/sign-out")
def sign_out() -> Response:
    """The session here ends, then the sign-in at the provider (RP-initiated logout)."""
    settings: WebSettings = current_app.extensions["web_settings"]
    hint = session.get("id_token")
    session.clear()
    if not hint:
        return redirect(url_for("public.home"))
    ending = {"id_token_hint": hint, "post_logout_redirect_uri": f"{settings.public_url}/signed-out"}
    return redirect(f"{settings.issuer}/logout?{urlencode(ending)}")


@account.get("/signed-out")
def signed_out() -> Response:
    return redirect(url_for("public.home"))
