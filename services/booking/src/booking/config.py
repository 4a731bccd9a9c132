import hashlib
import os
from collections.abc import Mapping
from datetime import timedelta

from eventbus.settings import Settings, secret

DEV_TICKET_SECRET = "xudong-tickets-local-development-only"


def load_settings() -> Settings:
    """From BOOKING_* and XUDONG_* environment variables."""
    return Settings.from_env("booking")


def payment_window() -> timedelta:
    """How long an approved booking waits for its payment (BOOKING_PAYMENT_WINDOW_SECONDS)."""
    return timedelta(seconds=int(os.environ.get("BOOKING_PAYMENT_WINDOW_SECONDS", 48 * 3600)))


def stripe_settings() -> tuple[str, str, str]:
    """(API key, API base, webhook signing secret): BOOKING_STRIPE_API_KEY, BOOKING_STRIPE_API_BASE
    (a localstripe server in development and tests) and BOOKING_STRIPE_WEBHOOK_SECRET; the two
    secrets have localstripe's values only in development."""
    return (
        secret(os.environ, "BOOKING_STRIPE_API_KEY", "sk_test_xudong_local"),
        os.environ.get("BOOKING_STRIPE_API_BASE", "https://api.stripe.com"),
        secret(os.environ, "BOOKING_STRIPE_WEBHOOK_SECRET", "whsec_xudong_local"),
    )


def stripe_timeout() -> float:
    """How many seconds a call to Stripe may take before it is given up and tried again later
    (BOOKING_STRIPE_TIMEOUT_SECONDS)."""
    return float(os.environ.get("BOOKING_STRIPE_TIMEOUT_SECONDS", 5))


def holds_per_minute() -> int:
    """How many orders one client may place a minute (BOOKING_HOLDS_PER_MINUTE)."""
    return int(os.environ.get("BOOKING_HOLDS_PER_MINUTE", 60))


def waiting_per_minute() -> int:
    """How many waiting-list entries one client may make a minute (BOOKING_WAITING_PER_MINUTE): each
    may become an offer that holds places for half an hour."""
    return int(os.environ.get("BOOKING_WAITING_PER_MINUTE", 10))


def misses_per_minute() -> int:
    """How many lookups of orders or tickets that do not exist, or are not theirs, one client may
    make a minute before all its lookups are refused until the minute ends (BOOKING_MISSES_PER_MINUTE)."""
    return int(os.environ.get("BOOKING_MISSES_PER_MINUTE", 20))


def public_url() -> str:
    """Where buyers reach this service: the base of ticket, QR and offer links (BOOKING_PUBLIC_URL)."""
    return os.environ.get("BOOKING_PUBLIC_URL", "http://127.0.0.1:8002").rstrip("/")


def ticket_signing_key(env: Mapping[str, str] = os.environ) -> bytes:
    """The key that signs tickets' QR codes, from BOOKING_TICKET_SECRET (the development value only
    in development): booking's own, since no secret is shared with the other services."""
    return hashlib.sha256(secret(env, "BOOKING_TICKET_SECRET", DEV_TICKET_SECRET).encode()).digest()
