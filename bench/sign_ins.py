"""Sign-ins per second with the chosen Argon2id parameters (m=19 MiB, t=2, p=1): the whole
password step of the provider's sign-in page (GET the form, POST the password, answered with the
redirect that carries the code), in the identity app run in this process (Flask's test client)
on the stack's database, one sign-in at a time; beside it, the Argon2id check alone, the floor
of a sign-in's cost. ROUNDS rounds of SIGN_INS each; the median round of each is reported."""

import os
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from bench.stats import median
from eventbus.settings import Settings
from identity import create_app
from identity.accounts import now, sign_up
from identity.domain import passwords
from identity.oidc import WEB_CLIENT
from identity.unit_of_work import IdentityUnitOfWork
from tests.e2e.identity_flows import PASSWORD  # a test account's, never a real one
from xudong.stack import Stack

ROUNDS, SIGN_INS = 5, 20


def run(stack: Stack) -> list[tuple[str, str, str]]:
    stack.start_services()  # the identity worker makes the first signing key
    try:
        return _measure(stack)
    finally:
        stack.stop_services()


def _measure(stack: Stack) -> list[tuple[str, str, str]]:
    env = stack.service_env() | {"XUDONG_LOG_LEVEL": "WARNING"}
    os.environ.update(env)  # the identity app reads its secrets from the environment, as its processes do
    app = create_app(Settings.from_env("identity", env))
    runtime = app.extensions["runtime"]
    email = f"bench-{uuid.uuid4().hex[:8]}@example.vn"
    body = {
        "email": email,
        "password": PASSWORD,
        "display_name": "Bench",
        "language": "vi",
        "phone": None,
        "privacy_notice": "2026-12-01",
        "organisation": None,
    }
    sign_up(IdentityUnitOfWork(runtime), body, now())
    with IdentityUnitOfWork(runtime) as uow:
        account = uow.account_by_email(email)
        assert account is not None
        uow.update_account(account.id, email_verified_at=now())
        uow.commit()

    def one_sign_in() -> None:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": WEB_CLIENT,
                "redirect_uri": f"http://127.0.0.1:{stack.ports.web}/auth/callback",
                "scope": "openid",
                "nonce": uuid.uuid4().hex,  # a nonce used before is a replay, and refused
                "code_challenge": create_s256_code_challenge("bench-verifier-" + "x" * 40),
                "code_challenge_method": "S256",
            }
        )
        client = app.test_client()
        form = client.get(f"/authorize?{query}", headers={"X-Forwarded-For": "10.9.9.9"})
        found = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
        assert found, form.get_data(as_text=True)
        data = {"step": "password", "email": email, "password": PASSWORD, "csrf_token": found[1]}
        answer = client.post(f"/authorize?{query}", data=data)
        if answer.status_code != 302:
            raise RuntimeError(
                f"sign-in answered {answer.status_code}: {answer.get_data(as_text=True)[:500]}"
            )

    stored = passwords.hash_password(PASSWORD)
    ways: dict[str, Callable[[], object]] = {
        "whole sign-in (form, password, code)": one_sign_in,
        "Argon2id check alone": lambda: passwords.matches(stored, PASSWORD),
    }
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    for round_ in range(ROUNDS + 1):  # the first round warms up, and is not counted
        for name, way in ways.items():
            began = time.perf_counter()
            for _ in range(SIGN_INS):
                way()
            if round_:
                seconds[name].append((time.perf_counter() - began) / SIGN_INS)
    whole, check = (median(seconds[name]) for name in ways)
    measure = f"one at a time, median of {ROUNDS} rounds of {SIGN_INS}"
    return [
        (
            "password sign-ins per second (form, Argon2id, code)",
            measure,
            f"{1 / whole:.1f}/s ({whole * 1000:.0f} ms)",
        ),
        (
            "Argon2id checks per second (m=19 MiB, t=2, p=1)",
            measure,
            f"{1 / check:.1f}/s ({check * 1000:.0f} ms)",
        ),
        ("a sign-in next to its Argon2id check", "cost", f"{whole / check:.2f}×"),
    ]
