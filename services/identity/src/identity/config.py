import hashlib
import os
from collections.abc import Mapping
from datetime import timedelta

from eventbus.settings import Settings, secret

DEV_KEY_ENCRYPTION_SECRET = "xudong-identity-keys-local-development-only"


def load_settings() -> Settings:
    """From IDENTITY_* and XUDONG_* environment variables."""
    return Settings.from_env("identity")


def key_encryption_key(env: Mapping[str, str] = os.environ) -> bytes:
    """The AES-256 key that seals the signing keys at rest, from IDENTITY_KEY_ENCRYPTION_SECRET
    (the development value only in development)."""
    value = secret(env, "IDENTITY_KEY_ENCRYPTION_SECRET", DEV_KEY_ENCRYPTION_SECRET)
    return hashlib.sha256(value.encode()).digest()


def jwks_max_age(env: Mapping[str, str] = os.environ) -> int:
    """How long the services may keep the key set they fetched (IDENTITY_JWKS_MAX_AGE_SECONDS), and
    so how long before it signs a new key is published."""
    return int(env.get("IDENTITY_JWKS_MAX_AGE_SECONDS", 300))


def rotation(env: Mapping[str, str] = os.environ) -> timedelta:
    """How long one key signs before the next takes over (IDENTITY_KEY_ROTATION_SECONDS)."""
    return timedelta(seconds=int(env.get("IDENTITY_KEY_ROTATION_SECONDS", 30 * 24 * 3600)))
