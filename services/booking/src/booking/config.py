import os
from datetime import timedelta

from eventbus.settings import Settings


def load_settings() -> Settings:
    """From BOOKING_* and XUDONG_* environment variables."""
    return Settings.from_env("booking")


def payment_window() -> timedelta:
    """How long an approved booking waits for its payment (BOOKING_PAYMENT_WINDOW_SECONDS)."""
    return timedelta(seconds=int(os.environ.get("BOOKING_PAYMENT_WINDOW_SECONDS", 48 * 3600)))
