"""The provider's endpoints for clients: discovery, token, userinfo and logout."""

from typing import Any

from authlib.oauth2 import OAuth2Error
from flask import Response, jsonify, request

from eventbus.auth import ROLES
from eventbus.http import INVALID_TOKEN, authenticate
from identity import oidc
from identity.views import _, csrf_token, forged, in_transaction, new_uow, page, provider, server


@provider.get("/.well-known/openid-configuration")
def configuration() -> Response:
    answer = jsonify(oidc.discovery(oidc.issuer()))
    answer.headers["Cache-Control"] = "public, max-age=3600"
    return answer


@provider.post("/token")
def token() -> Any:
    return in_transaction(server().create_token_response)


@provider.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Any:
    principal = authenticate(ROLES)
    with new_uow() as uow:
        account = oidc.active(uow.account(principal.sub))
    if account is None:
        return jsonify(error="invalid_token"), 401, INVALID_TOKEN
    return jsonify(oidc.user_info(account, "openid profile email"))


@provider.route("/logout", methods=["GET", "POST"])
def logout() -> Any:
    """RP-initiated logout: with the ID token as a hint, at once; without, once the person confirms."""

    def end() -> Any:
        try:
            ending = server().validate_endpoint_request("end_session")
        except OAuth2Error as error:
            return page("page.html", _("Sign out"), 400, problem=error.get_error_description())
        if ending.needs_confirmation and (request.method == "GET" or forged()):
            return page("sign_out.html", _("Sign out"), csrf_token=csrf_token())
        return server().create_endpoint_response("end_session", ending) or page(
            "sign_out.html", _("Sign out"), done=_("You are signed out.")
        )

    return in_transaction(end)
