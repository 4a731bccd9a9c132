from eventbus.settings import Settings


def load_settings() -> Settings:
    """From NOTIFICATIONS_* and XUDONG_* environment variables."""
    return Settings.from_env("notifications")
