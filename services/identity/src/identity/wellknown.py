"""What any client of the provider reads without a token: its public keys."""

from typing import Any

from flask import current_app, jsonify

from eventbus.devkey import development_public_key
from eventbus.http import Api
from eventbus.runtime import Runtime
from identity.config import jwks_max_age
from identity.rotation import now, published_keys

api = Api("identity")


@api.route("/.well-known/jwks.json", "GET", responses={200: None})
def jwks() -> Any:
    """The keys tokens are signed with (RFC 7517), and those about to sign: verify a token with
    the key its `kid` names. Cache the set for the max-age given, and fetch it again for a kid you
    do not know."""
    runtime: Runtime = current_app.extensions["runtime"]
    keys = [k.public_jwk for k in published_keys(runtime, now())]
    if runtime.settings.development:
        keys.append(development_public_key())
    answer = jsonify({"keys": keys})
    answer.headers["Cache-Control"] = f"public, max-age={jwks_max_age()}"
    return answer
