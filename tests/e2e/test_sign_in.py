"""Signing in on the real stack, every way: a password reset by its link, a one-time code by email
and by SMS, the second factor a venue manager must enrol and then use (a recovery code once), the
same answers for a registered and an unregistered email, failures slowing down the next attempt
in every gunicorn worker and then locking the account, and a manager unassigned losing the venue in
the next token."""

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pyotp
import pytest
import requests
import sqlalchemy as sa

from conftest import eventually, token
from eventbus.fields import LOCAL
from identity.signin import account_key
from tests.e2e.identity_flows import (
    CLIENT,
    PASSWORD,
    Browser,
    granted,
    hidden,
    link_in,
    new_email,
    sign_in,
    sign_up_body,
    signed_up,
    user_id,
)
from tests.e2e.receiver import Receiver
from tests.e2e.test_notifications import mails_to
from xudong.stack import Stack

pytestmark = pytest.mark.stack
NEW_PASSWORD = "múa rối nước Thanh Hà 2026"
WEAK, WRONG = "12345", "sai mật khẩu rồi"
STAFF = token("staff", "staff-1")
VENUE = "6f1f7c1e-6d1b-4d7e-9d43-0c5f6a1b2c3d"


def test_a_password_reset_asked_for_from_the_sign_in_page_sets_a_new_password_once(platform: Stack) -> None:
    email = signed_up(platform, "quen-mat-khau")
    browser = Browser(platform)
    found = re.search(r'<a href="(/reset-password)">Quên mật khẩu\?</a>', browser.start().text)
    assert found, "the sign-in page offers a way back in"
    asking = requests.Session()
    ask = asking.get(f"{platform.issuer}{found[1]}", timeout=10)
    answers = [
        asking.post(
            f"{platform.issuer}/reset-password",
            data={"csrf_token": hidden(ask.text, "csrf_token"), "email": address},
            timeout=10,
        )
        for address in (email, new_email("khong-co"))
    ]
    assert [a.status_code for a in answers] == [200, 200] and answers[0].text == answers[1].text
    assert "Nếu địa chỉ này có tài khoản" in answers[0].text
    bad = asking.post(
        f"{platform.issuer}/reset-password",
        data={"csrf_token": hidden(ask.text, "csrf_token"), "email": "x"},
        timeout=10,
    )
    assert bad.status_code == 422 and "ten@example.vn" in bad.text
    link = link_in(platform, email, "/reset-password", wanted=2)  # the verification came first
    form = requests.get(link, timeout=10)
    reset = {"token": hidden(form.text, "token")}
    weak = requests.post(f"{platform.issuer}/reset-password", data=reset | {"password": WEAK}, timeout=10)
    assert weak.status_code == 422 and "10" in weak.text  # what is wrong; the link stays good
    done = requests.post(
        f"{platform.issuer}/reset-password", data=reset | {"password": NEW_PASSWORD}, timeout=30
    )
    assert done.status_code == 200 and "Mật khẩu của bạn đã được đổi" in done.text
    again = requests.post(
        f"{platform.issuer}/reset-password", data=reset | {"password": NEW_PASSWORD}, timeout=10
    )
    assert again.status_code == 400 and "đã được dùng" in again.text
    assert Browser(platform).with_password(email).status_code == 401  # the old password no longer
    assert "access_token" in sign_in(platform, email, NEW_PASSWORD)


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found[1]


def test_a_one_time_code_by_email_signs_in_and_a_wrong_one_is_refused(platform: Stack) -> None:
    email = signed_up(platform, "ma-email")
    browser = Browser(platform)
    browser.start()
    sent = browser.post("send_code", email=email, channel="email")
    assert sent.status_code == 200 and 'name="code"' in sent.text
    code = code_in(mails_to(platform, email, 2)[-1]["text"])
    wrong = browser.post("code", email=email, code=f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 401 and "Mã không đúng" in wrong.text
    tokens = browser.tokens(browser.post("code", email=email, code=code))
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["role"] == "organiser"


def test_a_one_time_code_by_sms_goes_to_the_accounts_phone(platform: Stack, receiver: Receiver) -> None:
    phone = f"+8490{int(time.time() * 1000) % 10_000_000:07d}"
    email = signed_up(platform, "ma-sms", phone=phone)
    browser = Browser(platform)
    browser.start()
    assert browser.post("send_code", email=email, channel="sms").status_code == 200

    def texted() -> str | None:
        return next((str(p.body["text"]) for p in receiver.to("/sms") if p.body["to"] == phone), None)

    code = code_in(eventually(texted, timeout=60))
    assert "access_token" in browser.tokens(browser.post("code", email=email, code=code))


def test_a_manager_enrols_the_second_factor_then_needs_it_and_a_recovery_code_works_once(
    platform: Stack,
) -> None:
    email = signed_up(platform, "quan-ly")
    granted(platform, email, "venue_manager")

    browser = Browser(platform)
    enrol = browser.with_password(email)
    assert enrol.status_code == 200 and "<svg" in enrol.text  # the QR code
    secret = re.search(r'<code id="secret">(\w+)</code>', enrol.text)
    assert secret
    codes_page = browser.post("enroll", code=pyotp.TOTP(secret[1]).now())
    recovery = re.findall(r"<li><code>([\w-]+)</code></li>", codes_page.text)
    assert len(recovery) == 10
    tokens = browser.tokens(browser.post("continue"))
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["role"] == "venue_manager"

    later = Browser(platform)
    asked = later.with_password(email)
    assert asked.status_code == 200 and 'name="step" value="second_factor"' in asked.text
    assert later.post("second_factor", code="000000").status_code == 401
    assert "access_token" in later.tokens(later.post("second_factor", code=recovery[0]))
    reused = Browser(platform)
    reused.with_password(email)
    assert reused.post("second_factor", code=recovery[0]).status_code == 401  # each recovery code once


def comparable(answer: requests.Response) -> tuple[int, str, dict[str, str]]:
    """What a client sees of an answer, less what differs between any two requests."""
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("date", "x-correlation-id")}
    return answer.status_code, answer.text, headers


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/accounts", lambda email: sign_up_body(email)),
        ("/v1/password-resets", lambda email: {"email": email}),
        ("/v1/sign-in-codes", lambda email: {"email": email, "channel": "email"}),
    ],
)
def test_the_answer_is_the_same_for_a_registered_and_an_unregistered_email(
    platform: Stack, path: str, body: Any
) -> None:
    registered, unknown = signed_up(platform, "co-tai-khoan"), new_email("khong-tai-khoan")
    answers = [
        requests.post(f"{platform.issuer}{path}", json=body(email), timeout=30)
        for email in (registered, unknown)
    ]
    assert answers[0].status_code == 202
    assert comparable(answers[0]) == comparable(answers[1])


def test_a_link_or_notice_asked_for_again_within_the_minute_is_not_sent_again(platform: Stack) -> None:
    """Nobody fills an inbox by asking: three resets and three sign-ups of a proven address at once
    answer 202 each and send one reset link and one "you have an account". A sign-in code asked for
    last travels on the account's partition behind them all: once the notifications service holds
    its message, it holds every message asked for before."""
    email = signed_up(platform, "hoi-lai")
    asks = [("/v1/password-resets", {"email": email}), ("/v1/accounts", sign_up_body(email))] * 3
    with ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(lambda a: requests.post(f"{platform.issuer}{a[0]}", json=a[1], timeout=30), asks)
        )
    assert [a.status_code for a in answers] == [202] * 6
    code = requests.post(
        f"{platform.issuer}/v1/sign-in-codes", json={"email": email, "channel": "email"}, timeout=30
    )
    assert code.status_code == 202, code.text
    mails_to(platform, email, subject="Mã đăng nhập")
    engine = sa.create_engine(platform.database_url("notifications"))
    with engine.connect() as conn:
        query = "SELECT template FROM notifications WHERE address = :a ORDER BY template"
        sent = list(conn.execute(sa.text(query), {"a": email}).scalars())
    engine.dispose()
    assert sent == ["already_registered", "reset_password", "sign_in_code", "verify_email"]
    assert len(mails_to(platform, email, wanted=4)) == 4


def test_failures_in_three_workers_at_once_count_together_and_slow_even_the_right_password(
    platform: Stack,
) -> None:
    """Three failures at once, then three more each once the wait they caused is over (1, 2 and
    4 s): counted per worker, they would be two each, and nothing would slow down. The seventh
    attempt waits 8 s, long enough for a busy machine's request to arrive within it (the first
    second alone was not: a fresh-clone run saw the right password let in)."""
    email = signed_up(platform, "doan-mat-khau")
    browsers = [Browser(platform) for _ in range(3)]
    for browser in browsers:
        browser.start()
    # three at once: a sync worker answers one request at a time, so three gunicorn workers do
    with ThreadPoolExecutor(3) as pool:
        wrong = list(pool.map(lambda b: b.post("password", email=email, password=WRONG), browsers))
    assert [w.status_code for w in wrong] == [401, 401, 401]
    counted, waits = 3, list[int]()
    while counted < 6 and len(waits) < 6:  # bounded: each wait is told, and sits within the next
        answer = Browser(platform).with_password(email, WRONG)
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            time.sleep(waits[-1])
        else:
            assert answer.status_code == 401, answer.text
            counted += 1
    assert counted == 6, f"waits told: {waits}"
    slowed = Browser(platform).with_password(email)  # the right password, from elsewhere, at once
    assert slowed.status_code == 429, slowed.text
    assert int(slowed.headers["Retry-After"]) >= 1 and re.search(r"sau \d\d:\d\d:\d\d", slowed.text)

    control = signed_up(platform, "hai-lan-sai")  # two failures cost nothing
    for _ in range(2):
        assert Browser(platform).with_password(control, WRONG).status_code == 401
    assert "access_token" in sign_in(platform, control)


def test_the_tenth_failure_locks_the_account_for_fifteen_minutes_and_its_owner_is_told_until_when(
    platform: Stack,
) -> None:
    """Nine failures in the last ten minutes, written as the provider writes them (waiting out the
    doubling waits between them would take two minutes), the last long enough ago that its wait is
    over: the right password still signs in. The tenth, made now, locks the account: the right
    password is refused for the next fifteen minutes, the page says until when, and the audit log
    staff read shows each attempt."""
    email = signed_up(platform, "khoa-tai-khoan")
    engine = sa.create_engine(platform.database_url("identity"))
    key = account_key(email, {"XUDONG_ENV": "development"})  # the test platform's development digest key
    past = datetime.now(UTC) - timedelta(minutes=10)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO sign_ins (at, account, client, method, outcome)"
                " VALUES (:at, :k, '192.0.2.7', 'password', 'wrong_password')"
            ),
            [{"at": past + timedelta(seconds=30 * n), "k": key} for n in range(9)],  # the last 6 min ago
        )
    engine.dispose()
    assert "access_token" in sign_in(platform, email)  # the control: nine cost the wait already over
    assert Browser(platform).with_password(email, WRONG).status_code == 401
    locked = Browser(platform).with_password(email)
    assert locked.status_code == 429, locked.text
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    until = re.search(r"sau (\d\d:\d\d:\d\d \d\d/\d\d/\d{4})", locked.text)
    assert until, locked.text
    expected = datetime.now(LOCAL) + timedelta(minutes=15)
    assert abs(datetime.strptime(until[1], "%H:%M:%S %d/%m/%Y").replace(tzinfo=LOCAL) - expected) < timedelta(
        minutes=1
    )
    log = requests.get(
        f"{platform.issuer}/v1/users/{user_id(platform, email)}/sign-ins", headers=STAFF, timeout=10
    )
    assert [s["outcome"] for s in log.json()["items"][:3]] == ["locked", "wrong_password", "success"]


def test_a_manager_unassigned_from_a_venue_loses_it_in_the_next_token(platform: Stack) -> None:
    email = signed_up(platform, "bo-nhiem")
    manager = user_id(platform, email)
    requests.put(
        f"{platform.issuer}/v1/users/{manager}/role",
        json={"role": "venue_manager"},
        headers=STAFF,
        timeout=10,
    )
    assigned = requests.put(f"{platform.issuer}/v1/users/{manager}/venues/{VENUE}", headers=STAFF, timeout=10)
    assert assigned.status_code == 200 and assigned.json()["venues"] == [VENUE]
    browser = Browser(platform)
    enrol = browser.with_password(email)
    secret = re.search(r'<code id="secret">(\w+)</code>', enrol.text)
    assert secret
    browser.post("enroll", code=pyotp.TOTP(secret[1]).now())
    tokens = browser.tokens(browser.post("continue"))
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["venues"] == [VENUE]

    gone = requests.delete(f"{platform.issuer}/v1/users/{manager}/venues/{VENUE}", headers=STAFF, timeout=10)
    assert gone.status_code == 200 and gone.json()["venues"] == []
    body = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT}
    refreshed = requests.post(f"{platform.issuer}/token", data=body, timeout=10).json()
    assert jwt.decode(refreshed["access_token"], options={"verify_signature": False})["venues"] == []
    others = requests.put(
        f"{platform.issuer}/v1/users/{manager}/role",
        json={"role": "staff"},
        headers=token("venue_manager", manager, VENUE),
        timeout=10,
    )
    assert others.status_code == 403  # staff alone grant roles


def test_an_expired_or_made_up_link_says_what_to_do(platform: Stack) -> None:
    made_up = requests.post(f"{platform.issuer}/verify-email", data={"token": "not-a-token"}, timeout=10)
    assert made_up.status_code == 400 and "mở lại đường liên kết" in made_up.text.lower()
    answer = requests.post(
        f"{platform.issuer}/reset-password", data={"token": "x", "password": PASSWORD}, timeout=10
    )
    assert answer.status_code == 400 and "không đúng" in answer.text
