"""Settings every service reads, from prefixed environment variables."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEV_JWT_SECRET = "xudong-local-development-only-never-in-production"


def _required(env: Mapping[str, str], name: str) -> str:
    """A secret has no default a service could fall back on silently: anyone can read this file."""
    value = env.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set; `xudong up` and the tests set a development one")
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
            jwt_secret=_required(env, "XUDONG_JWT_SECRET"),
            log_level=env.get("XUDONG_LOG_LEVEL", "INFO"),
        )
