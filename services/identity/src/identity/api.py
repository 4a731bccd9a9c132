"""The identity JSON API: sign-up and what is sent to prove an address, one's own account and
data, and staff's grants of roles and venues."""

from typing import Any

from flask import Response, current_app, jsonify, request

from eventbus.auth import ROLES, Principal
from eventbus.fields import PageQuery
from eventbus.http import EmptyBody, Problem, problem_response
from identity import accounts, config, holders, people, schemas, signin
from identity.unit_of_work import IdentityUnitOfWork
from identity.wellknown import api

STAFF = ("staff",)
SENT = (
    "Nếu địa chỉ này có tài khoản, chúng tôi đã gửi hướng dẫn đến đó. Hãy kiểm tra hộp thư."
    " / If this address has an account, we sent it instructions. Check your inbox."
)
SIGNED_UP = (
    "Kiểm tra hộp thư của bạn: chúng tôi đã gửi hướng dẫn để tiếp tục."
    " / Check your inbox: we sent instructions to go on."
)


def uow() -> IdentityUnitOfWork:
    return IdentityUnitOfWork(current_app.extensions["runtime"])


def accepted(detail: str) -> tuple[dict[str, str], int]:
    """The same answer whatever the address: whether it has an account is the inbox's to say."""
    return {"detail": detail}, 202


def answer(call: Any, *args: Any) -> Any:
    return schemas.Me().dump(call(uow(), *args))


# A token outlives the account it names (deleted, or never made, for a development token): 404.
api.blueprint.register_error_handler(
    people.NotFound, lambda _: problem_response(Problem(404, "Not Found", "No such account (any more)."))
)
api.blueprint.register_error_handler(
    people.Conflict, lambda exc: problem_response(Problem(409, "Conflict", str(exc)))
)
GONE: dict[int, Any] = {404: None}
ASSIGNED: dict[int, Any] = {200: schemas.Me, 404: None, 409: None}  # 409: the account is no venue manager


@api.route("/v1/accounts", "POST", body=schemas.SignUp, responses={202: schemas.Accepted})
def sign_up(body: dict[str, Any]) -> Any:
    """Sign up: a buyer's account, or an organiser's with an organisation. The answer is the same
    whether or not the email has an account already; the inbox says what to do next."""
    accounts.sign_up(uow(), body, accounts.now())
    return accepted(SIGNED_UP)


@api.route("/v1/password-resets", "POST", body=schemas.EmailOnly, responses={202: schemas.Accepted})
def request_reset(body: dict[str, Any]) -> Any:
    """Ask for a link to choose a new password (good for an hour)."""
    accounts.request_reset(uow(), body["email"], accounts.now())
    return accepted(SENT)


@api.route("/v1/sign-in-codes", "POST", body=schemas.CodeRequest, responses={202: schemas.Accepted})
def request_code(body: dict[str, Any]) -> Any:
    """Ask for a six-digit sign-in code by email or SMS (good for five minutes, five tries)."""
    signin.request_code(uow(), body["email"], body["channel"], accounts.now())
    return accepted(SENT)


@api.route("/v1/me", "GET", roles=ROLES, responses={200: schemas.Me} | GONE)
def me(principal: Principal) -> Any:
    """One's own account."""
    return answer(people.read, principal.sub)


@api.route("/v1/me", "PATCH", roles=ROLES, body=schemas.ProfileIn, responses={200: schemas.Me} | GONE)
def update_me(principal: Principal, body: dict[str, Any]) -> Any:
    """Change one's name, language, phone, Zalo id or the channels one hears nothing by."""
    return answer(people.update_profile, principal.sub, body)


@api.route("/v1/me/sign-ins", "GET", roles=ROLES, query=PageQuery, responses={200: schemas.SignInList})
def my_sign_ins(principal: Principal, query: dict[str, Any]) -> Any:
    """Every sign-in to one's account, newest first: when, from where, how, and with what outcome."""
    return sign_ins(principal.sub, query)


def sign_ins(user_id: str, query: dict[str, Any]) -> Any:
    offset = int(query["cursor"] or 0)
    with uow() as work:
        items = work.sign_ins(user_id, offset, query["limit"])
    return schemas.SignInList().dump({"items": items})


@api.route("/v1/me/data", "GET", roles=ROLES, responses={200: None, 503: None} | GONE)
def my_data(principal: Principal) -> Response:
    """Download what the platform holds of oneself, as JSON: the identity service's part (the
    account, consents, second factor, sign-ins) and every other service's, by its name."""
    data = people.own_data(uow(), principal.sub)
    data["account"] = schemas.Me().dump(data["account"])
    data["sign_ins"] = schemas.SignInOut(many=True).dump(data["sign_ins"])
    data["consents"] = [
        {"version": c["version"], "accepted_at": c["accepted_at"].isoformat()} for c in data["consents"]
    ]
    try:
        parts = holders.gather(request.headers["Authorization"], config.data_holders())
    except holders.Unavailable as exc:
        detail = f"The {exc} service could not give its part of your data just now: try again in a minute."
        raise Problem(503, "Service Unavailable", detail, headers={"Retry-After": "60"}) from exc
    download = jsonify({"identity": data, **parts})
    download.headers["Content-Disposition"] = 'attachment; filename="xudong-stages-my-data.json"'
    return download


@api.route("/v1/me", "DELETE", roles=ROLES, responses={204: None} | GONE)
def delete_me(principal: Principal) -> Any:
    """Delete one's account: every service erases or anonymises what it holds of the person,
    keeping only the financial records the law requires, without the person."""
    people.erase(uow(), principal.sub)
    return "", 204


@api.route("/v1/users", "GET", roles=STAFF, query=schemas.UserQuery, responses={200: schemas.Me} | GONE)
def find_user(principal: Principal, query: dict[str, Any]) -> Any:
    """Find an account by its email (staff)."""
    with uow() as work:
        account = work.account_by_email(query["email"])
    if account is None:
        raise people.NotFound(query["email"])
    return schemas.Me().dump(people.shown(account))


@api.route(
    "/v1/users/<user_id>/role", "PUT", roles=STAFF, body=schemas.RoleIn, responses={200: schemas.Me} | GONE
)
def set_role(principal: Principal, user_id: str, body: dict[str, Any]) -> Any:
    """Grant an account its role (staff): buyer, organiser, venue_manager or staff."""
    return answer(people.set_role, user_id, body["role"])


@api.route("/v1/users/<user_id>/venues/<uuid:venue_id>", "PUT", roles=STAFF, responses=ASSIGNED)
def assign(principal: Principal, user_id: str, venue_id: Any) -> Any:
    """Assign a venue manager to a venue (staff)."""
    return answer(people.assign, user_id, str(venue_id), True)


@api.route("/v1/users/<user_id>/venues/<uuid:venue_id>", "DELETE", roles=STAFF, responses=ASSIGNED)
def unassign(principal: Principal, user_id: str, venue_id: Any) -> Any:
    """Unassign a venue manager from a venue (staff); they lose it within a token's ten minutes."""
    return answer(people.assign, user_id, str(venue_id), False)


@api.route(
    "/v1/users/<user_id>/suspension", "PUT", roles=STAFF, body=EmptyBody, responses={200: schemas.Me} | GONE
)
def suspend(principal: Principal, user_id: str, body: dict[str, Any]) -> Any:
    """Suspend an account (staff): no new token; those held run out within ten minutes."""
    return answer(people.suspend, user_id, accounts.now())


@api.route(
    "/v1/users/<user_id>/sign-ins", "GET", roles=STAFF, query=PageQuery, responses={200: schemas.SignInList}
)
def user_sign_ins(principal: Principal, user_id: str, query: dict[str, Any]) -> Any:
    """An account's sign-ins, newest first (staff)."""
    return sign_ins(user_id, query)
