"""The web front's settings, from WEB_-prefixed environment variables (and the platform's own)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from eventbus.settings import DEVELOPMENT, issuer, secret

DEV_SECRET_KEY = "xudong-web-development-session-key"


@dataclass(frozen=True)
class WebSettings:
    development: bool
    public_url: str  # where people reach the pages: the OIDC redirect and absolute links
    issuer: str  # the identity service as browsers reach it: its sign-in pages, the tokens' iss
    identity_url: str  # the identity service as this server reaches it: tokens, keys, its API
    venues_url: str
    booking_url: str
    notifications_url: str
    stripe_js: str  # Stripe.js (localstripe serves one at /js.stripe.com/v3/)
    stripe_key: str  # the publishable key: not a secret, it is sent to every browser
    secret_key: str
    session_dir: Path
    embed_ancestors: str  # who may frame the widget (CSP frame-ancestors): any site unless narrowed

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "WebSettings":
        local = "http://127.0.0.1"
        return cls(
            development=env.get("XUDONG_ENV") == DEVELOPMENT,
            public_url=env.get("WEB_PUBLIC_URL", f"{local}:8000").rstrip("/"),
            issuer=issuer(env),
            identity_url=env.get("WEB_IDENTITY_URL", issuer(env)).rstrip("/"),
            venues_url=env.get("WEB_VENUES_URL", f"{local}:8001").rstrip("/"),
            booking_url=env.get("WEB_BOOKING_URL", f"{local}:8002").rstrip("/"),
            notifications_url=env.get("WEB_NOTIFICATIONS_URL", f"{local}:8003").rstrip("/"),
            stripe_js=env.get("WEB_STRIPE_JS_URL", "https://js.stripe.com/v3/"),
            stripe_key=env.get("WEB_STRIPE_PUBLISHABLE_KEY", "pk_test_xudong_local"),
            secret_key=secret(env, "WEB_SECRET_KEY", DEV_SECRET_KEY),
            session_dir=Path(env.get("WEB_SESSION_DIR", "/tmp/xudong-web-sessions")),
            embed_ancestors=env.get("WEB_EMBED_ANCESTORS", "*"),
        )
