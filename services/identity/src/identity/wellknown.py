"""What any client of the provider reads without a token: its public keys. The service reads its
own tokens by the same keys, from its database rather than over HTTP from itself."""

from typing import Any

import jwt
from flask import current_app, jsonify

from eventbus.auth import ALGORITHMS, Unauthenticated
from eventbus.devkey import development_public_key
from eventbus.http import Api
from eventbus.runtime import Runtime
from identity.config import jwks_max_age
from identity.rotation import now, published_keys

api = Api("identity")


def published_jwks(runtime: Runtime) -> list[dict[str, Any]]:
    keys = [k.public_jwk for k in published_keys(runtime, now())]
    return [*keys, development_public_key()] if runtime.settings.development else keys


class PublishedKeys:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def key(self, kid: str) -> Any:
        for jwk in published_jwks(self.runtime):
            if jwk["kid"] == kid:
                return jwt.PyJWK(jwk, algorithm=ALGORITHMS[0]).key
        raise Unauthenticated(f"the issuer publishes no key {kid!r}")


@api.route("/.well-known/jwks.json", "GET", responses={200: None})
def jwks() -> Any:
    """The keys tokens are signed with (RFC 7517), and those about to sign: verify a token with
    the key its `kid` names. Cache the set for the max-age given, and fetch it again for a kid you
    do not know."""
    answer = jsonify({"keys": published_jwks(current_app.extensions["runtime"])})
    answer.headers["Cache-Control"] = f"public, max-age={jwks_max_age()}"
    return answer
