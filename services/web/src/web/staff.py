"""The Department's staff: areas as a tree, venues with their spaces and rules, accounts (found
by email) with their role and the venues a manager runs, and the refunds that need attention."""

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.organiser import signed_in_token
from web.pages import _, page
from web.profile import SIGN_INS
from web.public import areas

staff = Blueprint("staff", __name__)
ROLES = ("buyer", "organiser", "venue_manager", "staff")


def tree(found: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """The areas depth first, each with its depth: a province, its districts, their wards."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {a["id"] for a in found}
    for area in found:
        children.setdefault(area["parent_id"] if area["parent_id"] in known else None, []).append(area)
    ordered: list[tuple[dict[str, Any], int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for area in sorted(children.get(parent, []), key=lambda a: a["name"]["vi"]):
            ordered.append((area, depth))
            walk(area["id"], depth + 1)

    walk(None, 0)
    return ordered


@staff.get("/staff/areas")
def area_tree() -> ResponseReturnValue:
    signed_in_token()
    return page("staff_areas.html", _("Areas"), areas=tree(areas()))


@staff.get("/staff/venues")
def venues() -> ResponseReturnValue:
    q = request.args.get("q", "").strip()[:100]
    asked = {"limit": 50} | ({"q": q} if q else {})
    found = apis.read("venues", "/v1/venues", signed_in_token(), params=asked)["items"]
    return page("staff_venues.html", _("Venues and spaces"), venues=found, q=q)


@staff.get("/staff/accounts")
def accounts() -> ResponseReturnValue:
    token, email = signed_in_token(), request.args.get("email", "").strip()
    account, missing = None, False
    if email:
        try:
            account = apis.read("identity", "/v1/users", token, params={"email": email})
        except apis.Refusal as refusal:
            if refusal.status not in (404, 422):
                raise
            missing = True
    managed = [apis.read("venues", f"/v1/venues/{v}") for v in account["venues"]] if account else []
    sign_ins = (
        apis.read("identity", f"/v1/users/{account['user_id']}/sign-ins", token, params={"limit": SIGN_INS})[
            "items"
        ]
        if account
        else []
    )
    venue_q = request.args.get("venue_q", "").strip()[:100]
    found = (
        apis.read("venues", "/v1/venues", params={"q": venue_q, "limit": 20})["items"]
        if account and venue_q
        else []
    )
    return page(
        "staff_accounts.html",
        _("Accounts and roles"),
        404 if missing else 200,
        email=email,
        account=account,
        missing=missing,
        roles=ROLES,
        managed=managed,
        venue_q=venue_q,
        found=found,
        sign_ins=sign_ins,
    )


@staff.post("/staff/accounts/<user_id>/role")
def set_role(user_id: str) -> ResponseReturnValue:
    apis.call(
        "identity",
        "PUT",
        f"/v1/users/{user_id}/role",
        signed_in_token(),
        json={"role": request.form.get("role", "")},
    )
    return redirect(url_for("staff.accounts", email=request.form.get("email", "")))


@staff.post("/staff/accounts/<user_id>/venues")
def assign_venue(user_id: str) -> ResponseReturnValue:
    venue_id = request.form.get("venue_id", "")
    apis.call("identity", "PUT", f"/v1/users/{user_id}/venues/{venue_id}", signed_in_token())
    return redirect(url_for("staff.accounts", email=request.form.get("email", "")))


@staff.get("/staff/refunds")
def refunds() -> ResponseReturnValue:
    found = apis.read(
        "booking", "/v1/refunds", signed_in_token(), params={"state": "needs_attention", "limit": 100}
    )["items"]
    return page("staff_refunds.html", _("Refunds that need attention"), refunds=found)
