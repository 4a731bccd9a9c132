"""A signing key rotates under traffic and no request is refused: the next key is published ahead
of its turn (as the identity worker makes it, here ahead by more than the services' floor between
two fetches of the key set, instead of the JWKS max-age), and from its turn on the tokens the
provider issues carry its kid; booking, notifications and identity take every one of them."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import requests

from eventbus.settings import Settings
from identity.bootstrap import bootstrap
from identity.config import key_encryption_key
from identity.keys import new_key
from identity.unit_of_work import IdentityUnitOfWork
from tests.e2e.identity_flows import CLIENT, bearer, sign_in, signed_up
from xudong.stack import Stack

pytestmark = pytest.mark.stack
AHEAD = timedelta(seconds=15)  # more than eventbus.jwks.FLOOR: a service may fetch the set again
TRAFFIC = 35.0  # seconds of requests: the old key's tokens, then the new one's


def test_a_key_rotation_under_traffic_refuses_no_request(platform: Stack) -> None:
    tokens = sign_in(platform, signed_up(platform, "xoay-khoa"))
    runtime = bootstrap(Settings.from_env("identity", platform.service_env()))
    with IdentityUnitOfWork(runtime) as uow:
        at = datetime.now(UTC)
        uow.add_key(new_key(key_encryption_key(platform.service_env()), at, at + AHEAD))
        uow.commit()
    runtime.engine.dispose()

    reads = [
        f"http://127.0.0.1:{platform.ports.booking}/v1/venue-bookings",
        f"http://127.0.0.1:{platform.ports.notifications}/v1/notifications?limit=10",
        f"{platform.issuer}/v1/me",
    ]
    kids, refused, answered = set(), [], 0
    began = time.monotonic()
    while time.monotonic() - began < TRAFFIC:
        body = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT}
        renewed = requests.post(f"{platform.issuer}/token", data=body, timeout=10)
        assert renewed.status_code == 200, renewed.text
        tokens = renewed.json()
        kids.add(jwt.get_unverified_header(tokens["access_token"])["kid"])
        for url in reads:
            answer = requests.get(url, headers=bearer(tokens), timeout=10)
            answered += 1
            if answer.status_code != 200:
                refused.append((url, answer.status_code, answer.text))
        time.sleep(0.2)
    assert len(kids) == 2, kids  # the traffic spanned the turn of the new key
    assert refused == [], refused
    assert answered > 50
