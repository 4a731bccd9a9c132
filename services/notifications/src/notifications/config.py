import os

from eventbus.settings import Settings
from notifications.destinations import Address, allowance


def load_settings() -> Settings:
    """From NOTIFICATIONS_* and XUDONG_* environment variables."""
    return Settings.from_env("notifications")


def smtp_server() -> tuple[str, int]:
    """NOTIFICATIONS_SMTP_HOST and NOTIFICATIONS_SMTP_PORT: MailDev locally, any SMTP server in production."""
    return os.environ.get("NOTIFICATIONS_SMTP_HOST", "127.0.0.1"), int(
        os.environ.get("NOTIFICATIONS_SMTP_PORT", 1025)
    )


def gateways() -> dict[str, str]:
    """The HTTP gateways of the channels beyond email that are configured: NOTIFICATIONS_SMS_URL and
    NOTIFICATIONS_ZALO_URL (a provider's endpoint, or a local receiver in tests)."""
    named = {"sms": "NOTIFICATIONS_SMS_URL", "zalo": "NOTIFICATIONS_ZALO_URL"}
    return {channel: os.environ[var] for channel, var in named.items() if os.environ.get(var)}


def webhook_allowance() -> frozenset[tuple[Address, int]]:
    """NOTIFICATIONS_WEBHOOK_ALLOW_HOSTS: development only (the tests' receiver on 127.0.0.1), the
    private `address:port` destinations a webhook may reach all the same; none unless set."""
    return allowance(os.environ.get("NOTIFICATIONS_WEBHOOK_ALLOW_HOSTS", ""))


def webhooks_per_organiser() -> int:
    """NOTIFICATIONS_WEBHOOKS_PER_ORGANISER: how many webhooks one organiser may register (10)."""
    return int(os.environ.get("NOTIFICATIONS_WEBHOOKS_PER_ORGANISER", 10))
