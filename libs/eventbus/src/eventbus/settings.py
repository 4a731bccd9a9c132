"""Settings every service reads, from prefixed environment variables."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEVELOPMENT = "development"
DEV_ISSUER = "http://127.0.0.1:8004"  # the identity service `xudong up` runs


class UnsafeSecret(RuntimeError):
    """A secret (or the issuer trusted for tokens) is missing, or is the development value
    committed to this repository, outside development: the process must not start (anyone can
    read this repository)."""


def secret(env: Mapping[str, str], name: str, development_value: str) -> str:
    """The secret `name`. Only an explicit development mode (XUDONG_ENV=development, which
    `xudong up`, `make up` and `make test` set) may fall back on, or run with, the committed
    development value; anywhere else a missing or development secret stops the start."""
    value = env.get(name) or ""
    if env.get("XUDONG_ENV") == DEVELOPMENT:
        return value or development_value
    if not value or value == development_value:
        raise UnsafeSecret(
            f"{name} is {'the development value' if value else 'not set'}: set {name} to a secret "
            f"of your own (or XUDONG_ENV={DEVELOPMENT} on a development machine)"
        )
    return value


def issuer(env: Mapping[str, str]) -> str:
    """The OpenID Connect provider whose tokens the services trust (XUDONG_OIDC_ISSUER): the
    local identity service in development, and no default anywhere else."""
    value = env.get("XUDONG_OIDC_ISSUER") or ""
    if not value and env.get("XUDONG_ENV") != DEVELOPMENT:
        raise UnsafeSecret(
            "XUDONG_OIDC_ISSUER is not set: set XUDONG_OIDC_ISSUER to the URL of the OpenID Connect provider"
            f" whose tokens the services trust (or XUDONG_ENV={DEVELOPMENT} on a development machine)"
        )
    return (value or DEV_ISSUER).rstrip("/")


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    kafka_bootstrap: str
    log_level: str = "INFO"
    issuer: str = DEV_ISSUER
    jwks_uri: str = DEV_ISSUER + "/.well-known/jwks.json"
    development: bool = False

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] = os.environ) -> "Settings":
        prefix = service.upper()
        trusted = issuer(env)
        return cls(
            service=service,
            database_url=env.get(
                f"{prefix}_DATABASE_URL",
                f"postgresql+psycopg://xudong:xudong@127.0.0.1:5432/{service}",
            ),
            kafka_bootstrap=env.get("XUDONG_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            log_level=env.get("XUDONG_LOG_LEVEL", "INFO"),
            issuer=trusted,
            # the issuer's key set: by default where our identity service publishes it
            jwks_uri=env.get("XUDONG_OIDC_JWKS_URI") or trusted + "/.well-known/jwks.json",
            development=env.get("XUDONG_ENV") == DEVELOPMENT,
        )
