"""The OpenID Connect provider, on Authlib's authorization server: the authorization code flow with
PKCE (S256 only) for the web front, ID tokens with nonce, refresh tokens that rotate at every use
(one used again revokes its whole family), and RP-initiated logout. What Authlib leaves to us is
here: where codes and tokens are kept (hashed, in the request's unit of work, `g.uow`), and how the
tokens are signed (RS256, under the key that signs now, named by its kid)."""

import hashlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import jwt
from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, current_app, g, session
from joserfc.jwk import KeySet, RSAKey

from eventbus.auth import ALGORITHMS, AUDIENCE
from eventbus.runtime import Runtime
from identity import config, keys
from identity.account import Account
from identity.unit_of_work import IdentityUnitOfWork
from identity.wellknown import published_jwks

WEB_CLIENT = "xudong-web"
SCOPES = ("openid", "profile", "email", "offline_access")
ACCESS_LIFETIME = keys.TOKEN_LIFETIME
CODE_LIFETIME, REFRESH_LIFETIME = timedelta(minutes=5), timedelta(days=30)


def now() -> datetime:
    return datetime.now(UTC)


def digest(secret: str) -> str:
    """Codes and refresh tokens are long random strings: kept as their SHA-256 alone."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issuer() -> str:
    runtime: Runtime = current_app.extensions["runtime"]
    return runtime.settings.issuer


def uow() -> IdentityUnitOfWork:
    """The unit of work the view opened around this call into Authlib."""
    found: IdentityUnitOfWork = g.uow
    return found


@dataclass(frozen=True)
class Client(ClientMixin):  # type: ignore[misc]
    """The web front: a public client (no secret; PKCE proves the code's requester)."""

    client_id: str
    redirect_uris: tuple[str, ...]

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.redirect_uris)}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


def query_client(client_id: str) -> Client | None:
    return Client(WEB_CLIENT, tuple(config.web_redirect_uris())) if client_id == WEB_CLIENT else None


# --- signing -------------------------------------------------------------------------------------
_unsealed: dict[str, Any] = {}


def signing_key() -> tuple[str, Any]:
    """The kid and private key that sign now, the same for every token of one request."""
    if "signing" not in g:
        key = keys.signing(uow().signing_keys(), now())
        if key is None:
            raise RuntimeError("no signing key yet: the identity worker makes the first")
        if key.kid not in _unsealed:
            _unsealed[key.kid] = keys.unseal(config.key_encryption_key(), key)
        g.signing = key.kid, _unsealed[key.kid]
    signing: tuple[str, Any] = g.signing
    return signing


def access_token(client: Client, grant_type: str, user: Account, scope: str) -> str:
    """What every service reads (eventbus.auth): who, in what role, for which venues; 10 minutes."""
    kid, key = signing_key()
    issued = int(time.time())
    claims = {
        "iss": issuer(),
        "sub": user.id,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + int(ACCESS_LIFETIME.total_seconds()),
        "jti": generate_token(16),
        "client_id": client.client_id,
        "scope": scope,
        "role": user.principal.role,
        "venues": list(user.principal.venues),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHMS[0], headers={"kid": kid, "typ": "at+jwt"})


def user_info(user: Account, scope: str) -> UserInfo:
    claims = UserInfo(
        sub=user.id,
        name=user.display_name,
        locale=user.language,
        email=user.email,
        email_verified=user.email_verified_at is not None,
    )
    return claims.filter(scope) | {"sub": user.id}


def active(account: Account | None) -> Account | None:
    """An account tokens may still be issued to."""
    return account if account is not None and account.suspended_at is None else None


# --- grants --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Code:
    digest: str
    client_id: str
    user_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    session_id: str
    auth_time: datetime

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar = ["none"]

    def validate_authorization_request(self) -> Any:
        """PKCE is required, with S256: a plain challenge is the verifier itself."""
        data = self.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Send a code_challenge with code_challenge_method S256 (PKCE).")
        return super().validate_authorization_request()

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        uow().add_code(
            digest=digest(code),
            client_id=request.payload.client_id,
            user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            session_id=session["session_id"],
            auth_time=datetime.fromtimestamp(session["auth_time"], UTC),
            expires_at=now() + CODE_LIFETIME,
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        row = uow().code(digest(code), client.client_id, now())
        return Code(**{k: v for k, v in row._mapping.items() if k != "expires_at"}) if row else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        uow().delete_code(authorization_code.digest)

    def authenticate_user(self, authorization_code: Code) -> Account | None:
        return active(uow().account(authorization_code.user_id))


@dataclass(frozen=True)
class Refresh:
    digest: str
    family: str
    client_id: str
    user_id: str
    scope: str
    session_id: str
    auth_time: datetime

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar = ["none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Refresh | None:
        """A refresh token is good once. One presented again was stolen or leaked, by whichever
        of the two holders: every token of its family is revoked, and both must sign in again."""
        row = uow().refresh_token(digest(refresh_token))
        if row is None:
            return None
        if row.used_at is not None or row.revoked_at is not None:
            uow().revoke_refresh_tokens(now(), "family", row.family)
            return None
        if row.expires_at <= now():
            return None
        kept = ("digest", "family", "client_id", "user_id", "scope", "session_id", "auth_time")
        return Refresh(**{k: getattr(row, k) for k in kept})

    def authenticate_user(self, refresh_token: Refresh) -> Account | None:
        return active(uow().account(refresh_token.user_id))

    def revoke_old_credential(self, refresh_token: Refresh) -> None:
        uow().use_refresh_token(refresh_token.digest, now())


class IdToken(OpenIDCode):  # type: ignore[misc]
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return uow().nonce_pending(request.payload.client_id, nonce)

    def get_client_algorithm(self, client: Client) -> str:
        return ALGORITHMS[0]

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": ALGORITHMS[0], "kid": signing_key()[0]}

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        kid, key = signing_key()
        return RSAKey.import_key(key, {"kid": kid})

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {
            "iss": issuer(),
            "aud": client.client_id,
            "exp": int(time.time() + ACCESS_LIFETIME.total_seconds()),
        }

    def generate_user_info(self, user: Account, scope: str) -> UserInfo:
        return user_info(user, scope)


class EndSession(EndSessionEndpoint):  # type: ignore[misc]
    def get_server_jwks(self) -> KeySet:
        return KeySet.import_key_set({"keys": published_jwks(current_app.extensions["runtime"])})

    def end_session(self, end_session_request: Any) -> None:
        """The sign-in at the provider ends, and with it every refresh token it gave rise to."""
        if "session_id" in session:
            uow().revoke_refresh_tokens(now(), "session_id", session["session_id"])
        session.clear()


def save_token(token: dict[str, Any], request: Any) -> None:
    if "refresh_token" not in token:
        return
    previous: Refresh | Code | None = request.refresh_token or request.authorization_code
    assert previous is not None  # the two grants that issue refresh tokens
    uow().add_refresh_token(
        digest=digest(token["refresh_token"]),
        family=previous.family if isinstance(previous, Refresh) else str(uuid.uuid4()),
        client_id=request.client.client_id,
        user_id=request.user.id,
        scope=token.get("scope", ""),
        session_id=previous.session_id,
        auth_time=previous.auth_time,
        expires_at=now() + REFRESH_LIFETIME,
    )


def install(app: Flask) -> None:
    """The provider on `app`, as app.extensions["oauth"] (Authlib's config loading first: it
    would put its own token generator in place of ours)."""
    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_token_generator(
        "default",
        BearerTokenGenerator(
            access_token,
            lambda **_: generate_token(48),
            lambda client, grant_type: int(ACCESS_LIFETIME.total_seconds()),
        ),
    )
    code_challenge = CodeChallenge(required=True)
    code_challenge.SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    server.register_grant(CodeGrant, [IdToken(require_nonce=True), code_challenge])
    server.register_grant(RefreshGrant)
    server.register_endpoint(EndSession)
    app.extensions["oauth"] = server


def discovery(issuer: str) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0: where everything is and what is supported."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "end_session_endpoint": f"{issuer}/logout",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ALGORITHMS,
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "locale",
            "email",
            "email_verified",
        ],
        "ui_locales_supported": ["vi", "en"],
    }
