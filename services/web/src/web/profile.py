"""Everyone's own account: profile and language, the notifications inbox, the download of
everything the platform holds of them (identity gathers every service's part), and deleting the
account, after a confirmation."""

import json

from flask import Blueprint, Response, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from web import apis
from web.forms import FieldErrors
from web.organiser import signed_in_token
from web.pages import _, page

profile = Blueprint("profile", __name__)
SIGN_INS = 20  # the newest sign-ins an account page shows, its owner's or, to staff, anyone's


@profile.route("/account", methods=["GET", "POST"])
def account_page() -> ResponseReturnValue:
    token, errors = signed_in_token(), FieldErrors()
    if request.method == "POST":
        changed = {
            "display_name": request.form.get("display_name", "").strip(),
            "language": request.form.get("language", "vi"),
        }
        try:
            apis.call("identity", "PATCH", "/v1/me", token, json=changed)
        except apis.Refusal as refusal:
            if refusal.status != 422:
                raise
            errors.take(refusal, {"display_name": "display_name", "language": "language"})
        else:
            session["language"] = changed["language"]  # the pages follow the account's language
            return redirect(url_for("profile.account_page", saved=1))
    me = apis.read("identity", "/v1/me", token)
    return page(
        "account.html",
        _("My account"),
        422 if errors else 200,
        me=me,
        sign_ins=apis.read("identity", "/v1/me/sign-ins", token, params={"limit": SIGN_INS})["items"],
        errors=errors,
        saved="saved" in request.args,
    )


@profile.get("/inbox")
def inbox() -> ResponseReturnValue:
    notes = apis.read("notifications", "/v1/notifications", signed_in_token(), params={"limit": 50})["items"]
    return page("inbox.html", _("Notifications"), notes=notes)


@profile.post("/inbox/<uuid:notification_id>/read")
def mark_read(notification_id: object) -> ResponseReturnValue:
    apis.call(
        "notifications", "POST", f"/v1/notifications/{notification_id}/read", signed_in_token(), json={}
    )
    return redirect(url_for("profile.inbox"))


@profile.get("/account/data.json")
def download() -> ResponseReturnValue:
    held = apis.read("identity", "/v1/me/data", signed_in_token())
    body = json.dumps(held, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=xudong-my-data.json"},
    )


@profile.route("/account/delete", methods=["GET", "POST"])
def delete() -> ResponseReturnValue:
    token = signed_in_token()
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return page(
            "delete_account.html",
            _("Delete my account"),
            200 if request.method == "GET" else 422,
            asked=request.method == "POST",
        )
    apis.call("identity", "DELETE", "/v1/me", token)
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language  # the goodbye in the language the person chose
    return page(
        "trouble.html",
        _("Your account is deleted"),
        200,
        advice=_("Everything the platform held of you is being erased. Thank you for coming."),
    )
