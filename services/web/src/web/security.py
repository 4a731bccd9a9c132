"""What keeps the pages safe to use: a Content-Security-Policy with a nonce for each page's own
scripts (none inline), nothing loaded from another origin but the payment provider's, no page
framed by another site, and no state-changing request from another origin (the CSRF token of
Flask-WTF is checked besides, on every form and htmx request)."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from werkzeug.wrappers import Response

from web.config import WebSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def nonce() -> str:
    if "nonce" not in g:
        g.nonce = secrets.token_urlsafe(18)
    found: str = g.nonce
    return found


def policy(settings: WebSettings, page_nonce: str, ancestors: str = "'none'") -> str:
    payments = origin(settings.stripe_js)
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{page_nonce}' {payments}",
            f"connect-src 'self' {payments}",
            f"frame-src {payments}",
            "img-src 'self' data:",
            # the managers' calendar (FullCalendar 6) adds its rules in a <style> given the nonce,
            # its icons' font among them as a data: URL
            f"style-src 'self' 'nonce-{page_nonce}'",
            "font-src 'self' data:",
            # the sign-out form ends at the identity provider's logout (a redirect form-action covers)
            f"form-action 'self' {origin(settings.issuer)}",
            f"frame-ancestors {ancestors}",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def install(app: Flask, settings: WebSettings) -> None:
    ours = origin(settings.public_url)

    @app.before_request
    def same_origin() -> None:
        """A browser names where a request comes from (Origin, Sec-Fetch-Site); one that
        changes something and comes from another site is refused before the view runs."""
        if request.method in SAFE_METHODS:
            return
        sent_from = request.headers.get("Origin")
        if (sent_from and sent_from != ours) or request.headers.get("Sec-Fetch-Site") == "cross-site":
            abort(403, "cross-origin")

    @app.after_request
    def headers(response: Response) -> Response:
        framed_by = settings.embed_ancestors if g.get("embeddable") else "'none'"  # the widget alone
        response.headers["Content-Security-Policy"] = policy(settings, nonce(), framed_by)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.jinja_env.globals["csp_nonce"] = nonce
