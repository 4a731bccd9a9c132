"""Outside development (XUDONG_ENV=development, which `xudong up` and the tests set), no process of
any service starts with a missing secret or with the development one committed here: it stops at
once and names the variable to set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from booking.config import DEV_TICKET_SECRET
from identity.config import DEV_KEY_ENCRYPTION_SECRET, DEV_SESSION_SECRET
from xudong.stack import LOCAL_STRIPE_KEY, LOCAL_WEBHOOK_SECRET, SERVICES

BIN = Path(sys.executable).parent
OWN_SECRET = "a-production-secret-nobody-has-committed-0123456789abcdef"
ISSUER = {"XUDONG_OIDC_ISSUER": "https://id.example.vn"}
# Each process's own secrets besides the issuer every process is told: the development value
# committed here, and the processes that read it at start.
OWN = {
    "IDENTITY_KEY_ENCRYPTION_SECRET": (DEV_KEY_ENCRYPTION_SECRET, ("identity-api", "identity-worker")),
    "IDENTITY_SESSION_SECRET": (DEV_SESSION_SECRET, ("identity-api",)),
    "BOOKING_TICKET_SECRET": (DEV_TICKET_SECRET, ("booking-api",)),
    "BOOKING_STRIPE_API_KEY": (LOCAL_STRIPE_KEY, ("booking-api", "booking-worker")),
    "BOOKING_STRIPE_WEBHOOK_SECRET": (LOCAL_WEBHOOK_SECRET, ("booking-api", "booking-worker")),
}


def production_env(**secrets: str) -> dict[str, str]:
    """This machine's environment without the platform's variables (XUDONG_ENV among them), with
    databases nothing listens on: a process that got past its secrets would have nowhere to go."""
    kept = {
        k: v for k, v in os.environ.items() if not k.startswith(("XUDONG_", *(s.upper() for s in SERVICES)))
    }
    unreachable = {
        f"{s.upper()}_DATABASE_URL": f"postgresql+psycopg://xudong:xudong@127.0.0.1:9/{s}" for s in SERVICES
    }
    return {**kept, **unreachable, "XUDONG_KAFKA_BOOTSTRAP": "127.0.0.1:9", **secrets}


def every_process(service: str) -> dict[str, list[str]]:
    api = [str(BIN / "gunicorn"), "-c", "python:eventbus.gunicorn_conf", "-b", "127.0.0.1:0", "-w", "1"]
    return {
        f"{service}-api": [*api, f"{service}:create_app()"],
        f"{service}-relay": [str(BIN / "python"), "-m", f"{service}.relay"],
        f"{service}-worker": [str(BIN / "python"), "-m", f"{service}.worker"],
    }


def refusals(processes: dict[str, list[str]], env: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Each process's exit status and what it wrote, all started together; each is killed after
    120 s if it has not stopped by itself (then it did not refuse; they start at once, on two cores)."""
    started = {
        name: subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, argv in processes.items()
    }
    answers = {}
    for name, process in started.items():
        try:
            output, _ = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        answers[name] = (process.returncode, output)
    return answers


def test_no_process_of_any_service_starts_without_the_issuer_it_trusts() -> None:
    processes = {name: argv for s in SERVICES for name, argv in every_process(s).items()}
    for name, (status, output) in refusals(processes, production_env()).items():
        assert status not in (0, -9), f"{name} did not refuse to start: {output[-2000:]}"
        assert "set XUDONG_OIDC_ISSUER to the URL of the OpenID Connect provider" in output, (
            f"{name}: {output[-2000:]}"
        )


@pytest.mark.parametrize("variable", list(OWN))
@pytest.mark.parametrize("value", ["missing", "development"])
def test_no_process_starts_with_a_secret_of_its_own_missing_or_committed(variable: str, value: str) -> None:
    """Every other secret set to one of its own, so that the refusal is for this one."""
    development, readers = OWN[variable]
    own = {name: f"an-own-{name.lower()}-{OWN_SECRET}" for name in OWN}
    if value == "missing":
        del own[variable]
    else:
        own[variable] = development
    processes = {p: every_process(p.split("-")[0])[p] for p in readers}
    for name, (status, output) in refusals(processes, production_env(**ISSUER, **own)).items():
        assert status not in (0, -9), f"{name} did not refuse to start: {output[-2000:]}"
        assert f"set {variable} to a secret of your own" in output, f"{name}: {output[-2000:]}"
