import os

from eventbus.settings import Settings


def load_settings() -> Settings:
    """From NOTIFICATIONS_* and XUDONG_* environment variables."""
    return Settings.from_env("notifications")


def smtp_server() -> tuple[str, int]:
    """NOTIFICATIONS_SMTP_HOST and NOTIFICATIONS_SMTP_PORT: MailDev locally, any SMTP server in production."""
    return os.environ.get("NOTIFICATIONS_SMTP_HOST", "127.0.0.1"), int(
        os.environ.get("NOTIFICATIONS_SMTP_PORT", 1025)
    )
