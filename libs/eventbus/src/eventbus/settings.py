"""Settings every service reads, from prefixed environment variables."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEV_JWT_SECRET = "xudong-local-development-only-never-in-production"
DEVELOPMENT = "development"


class UnsafeSecret(RuntimeError):
    """A secret is missing, or is the development value committed to this repository, outside
    development: the process must not start (anyone can read this repository)."""


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


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    kafka_bootstrap: str
    jwt_secret: str
    log_level: str

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] = os.environ) -> "Settings":
        prefix = service.upper()
        return cls(
            service=service,
            database_url=env.get(
                f"{prefix}_DATABASE_URL",
                f"postgresql+psycopg://xudong:xudong@127.0.0.1:5432/{service}",
            ),
            kafka_bootstrap=env.get("XUDONG_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            jwt_secret=secret(env, "XUDONG_JWT_SECRET", DEV_JWT_SECRET),
            log_level=env.get("XUDONG_LOG_LEVEL", "INFO"),
        )
