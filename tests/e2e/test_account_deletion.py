"""A person deletes their account at the identity service, as the web front will ask it to: first
they download what it holds of them; then none of the four databases holds their email, phone or
name (venues and booking not even their id), while the orders they paid for are still counted,
with every amount, without them."""

import uuid
from functools import partial

import pytest
import requests
import sqlalchemy as sa

from conftest import eventually
from tests.e2e.identity_events import contact_of
from tests.e2e.identity_flows import bearer, sign_in, signed_up, user_id
from tests.e2e.test_identity_followers import ORDER_TOTALS, on_sale_by, person
from tests.e2e.test_identity_messages import mentions
from tests.e2e.ticket_fixtures import free, ga, order, order_status, pay
from tests.e2e.venue_fixtures import STAFF, managers_of, venue
from xudong.stack import SERVICES, Stack

pytestmark = pytest.mark.stack


def test_a_deleted_account_leaves_no_email_phone_or_name_anywhere_and_its_orders_still_count(
    platform: Stack,
) -> None:
    tag = uuid.uuid4().hex[:8]
    phone, name = f"+849{uuid.uuid4().int % 10**8:08d}", f"Đỗ Thị Xoá {tag}"
    email = signed_up(platform, f"xoa-tai-khoan-{tag}", phone=phone, display_name=name)
    uid = user_id(platform, email)
    tokens = sign_in(platform, email)
    # Staff make them a manager of a venue too; they bought tickets as a guest, and signed in.
    run = venue(platform)
    for method, path, body in (
        ("PUT", f"/v1/users/{uid}/role", {"role": "venue_manager"}),
        ("PUT", f"/v1/users/{uid}/venues/{run['id']}", None),
    ):
        granted = requests.request(method, f"{platform.issuer}{path}", json=body, headers=STAFF, timeout=10)
        assert granted.status_code == 200, granted.text
    show = on_sale_by(platform, f"org-{tag}", [ga(20, price=120_000), free(20)])
    paid_type, free_type = show["types"]
    guest = order(platform, show["id"], email=email, items=[{"ticket_type_id": paid_type, "quantity": 2}])
    assert guest.status_code == 201, guest.text
    pay(platform, guest.json())
    order_status(platform, guest.json(), "paid")
    signed = order(
        platform,
        show["id"],
        bearer(tokens) | {"Idempotency-Key": tag},
        email=email,
        items=[{"ticket_type_id": free_type, "quantity": 1}],
    )
    assert signed.status_code == 201, signed.text
    eventually(lambda: person(platform, uid) and contact_of(platform, uid).status_code == 200)
    eventually(lambda: uid in managers_of(platform, run["id"]))  # with the venue's first manager

    download = requests.get(f"{platform.issuer}/v1/me/data", headers=bearer(tokens), timeout=10)
    assert download.status_code == 200, download.text
    assert "attachment" in download.headers["Content-Disposition"]
    data = download.json()
    assert sorted(data) == sorted(SERVICES)  # every service's part
    assert (data["identity"]["account"]["email"], data["identity"]["account"]["phone"]) == (email, phone)
    assert [v["venue_id"] for v in data["venues"]["venues_managed"]] == [run["id"]]
    orders = {o["id"]: o for o in data["booking"]["orders"]}
    assert sorted(orders) == sorted([guest.json()["id"], signed.json()["id"]])
    assert {orders[guest.json()["id"]]["buyer_id"], orders[signed.json()["id"]]["buyer_id"]} == {None, uid}
    assert sorted(t["order_id"] for t in data["booking"]["tickets"]) == sorted(
        [guest.json()["id"]] * 2 + [signed.json()["id"]]
    )
    assert "token_hash" not in orders[guest.json()["id"]]  # what opens the order is no data of theirs
    assert [(c["email"], c["phone"]) for c in data["notifications"]["contact"]] == [(email, phone)]
    assert data["notifications"]["messages"] and all(
        "source" not in m for m in data["notifications"]["messages"]
    )

    engines = {service: sa.create_engine(platform.database_url(service)) for service in SERVICES}
    needles = {
        "identity": [email, phone, name],
        "venues": [uid],
        "booking": [uid, email],
        "notifications": [email, phone, name],
    }
    for service, engine in engines.items():  # the control: each is there to find before
        assert sorted(mentions(engine, needles[service])) == sorted(needles[service]), service
    with engines["booking"].connect() as conn:
        before = conn.execute(sa.text(ORDER_TOTALS), {"e": show["id"]}).all()
    assert before == [("paid", 2, 240_000, 240_000, 0, 0)]  # the guest's and the signed-in (free) one

    deleted = requests.delete(f"{platform.issuer}/v1/me", headers=bearer(tokens), timeout=10)
    assert deleted.status_code == 204, deleted.text
    kept_id = {"notifications"}  # its messages keep a recipient id that now names nobody
    for service, engine in engines.items():
        gone = [email, phone, name] + ([] if service in kept_id else [uid])
        eventually(partial(lambda e, g: mentions(e, g) == {}, engine, gone), timeout=60)
    with engines["booking"].connect() as conn:
        assert conn.execute(sa.text(ORDER_TOTALS), {"e": show["id"]}).all() == before
    assert requests.get(f"{platform.issuer}/v1/me", headers=bearer(tokens), timeout=10).status_code == 404
    assert requests.delete(f"{platform.issuer}/v1/me", headers=bearer(tokens), timeout=10).status_code == 404
    for engine in engines.values():
        engine.dispose()
