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


DEV_SESSION_SECRET = "xudong-identity-sessions-local-development-only"


def session_secret(env: Mapping[str, str] = os.environ) -> str:
    """What signs the provider's own sign-in cookie (IDENTITY_SESSION_SECRET)."""
    return secret(env, "IDENTITY_SESSION_SECRET", DEV_SESSION_SECRET)


def digest_key(env: Mapping[str, str] = os.environ) -> bytes:
    """The key of the digests kept of short secrets and of emails tried at sign-in (a digest of
    six digits or of an address without a key would be reversed by trying them all)."""
    return hashlib.sha256(b"digests:" + key_encryption_key(env)).digest()


def web_redirect_uris(env: Mapping[str, str] = os.environ) -> list[str]:
    """Where the web front may be sent back to with an authorization code
    (IDENTITY_WEB_REDIRECT_URIS, separated by spaces)."""
    return env.get("IDENTITY_WEB_REDIRECT_URIS", "http://127.0.0.1:8000/auth/callback").split()


def data_holders(env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The other services that hold a part of a person's data, each by its name and base URL
    (IDENTITY_DATA_HOLDERS: name=URL, separated by spaces); the download gathers every part."""
    named = env.get("IDENTITY_DATA_HOLDERS") or " ".join(
        f"{name}=http://127.0.0.1:{port}"
        for name, port in (("venues", 8001), ("booking", 8002), ("notifications", 8003))
    )
    return dict(pair.split("=", 1) for pair in named.split())
