"""Passwords, one-time codes and links, the second factor and the lockout, on their own."""

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from identity.domain import challenges, lockout, passwords, second_factor
from identity.domain.challenges import Challenge, Outcome

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)


# --- passwords -------------------------------------------------------------------------------
def test_a_password_is_stored_as_argon2id_with_owasps_parameters_and_checked() -> None:
    stored = passwords.hash_password("chèo-tàu-lửa-2026")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.matches(stored, "chèo-tàu-lửa-2026")
    assert not passwords.matches(stored, "chèo-tàu-lửa-2025")
    assert not passwords.needs_rehash(stored)
    weaker = "$argon2id$v=19$m=8192,t=1,p=1$" + stored.split("$", 4)[4]
    assert passwords.needs_rehash(weaker)


def test_with_no_account_a_decoy_is_checked_and_nothing_matches() -> None:
    assert not passwords.matches(None, "a-decoy-that-no-account-has")
    assert not passwords.matches("not a hash", "whatever-it-is-123")


@pytest.mark.parametrize(
    ("password", "told"),
    [
        ("short1!", "at least 10"),
        ("x" * 129, "at most 128"),
        ("1q2w3e4r5t", "most common"),
        ("QwertyUiop", "most common"),  # the list is compared without case
        ("lan.nguyen-2026-hè", "email address"),
    ],
)
def test_a_weak_password_is_refused_with_what_to_do(password: str, told: str) -> None:
    found = passwords.problems(password, email="lan.nguyen@example.vn")
    assert any(told in p for p in found), found


def test_a_long_uncommon_password_will_do_and_the_common_list_is_loaded() -> None:
    assert passwords.problems("ngõ-phố-Hải-Dương-mùa-vải", email="lan@example.vn") == []
    assert len(passwords.common_passwords()) > 1000
    assert all(len(p) >= passwords.MIN_LENGTH for p in passwords.common_passwords())


# --- one-time codes and links -------------------------------------------------------------------
KEY = b"k" * 32


def _challenge(code: str, **changes: object) -> Challenge:
    made = Challenge(challenges.code_digest(KEY, code), NOW + challenges.CODE_LIFETIME)
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def test_a_code_is_six_digits_accepted_once_within_five_minutes() -> None:
    code = challenges.new_code()
    assert len(code) == 6 and code.isdigit()
    asked = _challenge(code)
    assert challenges.check(asked, challenges.code_digest(KEY, code), NOW) is Outcome.ACCEPTED
    late = NOW + timedelta(minutes=5)
    assert challenges.check(asked, challenges.code_digest(KEY, code), late) is Outcome.EXPIRED
    used = dataclasses.replace(asked, used_at=NOW)
    assert challenges.check(used, challenges.code_digest(KEY, code), NOW) is Outcome.USED


def test_after_five_wrong_codes_even_the_right_one_is_refused() -> None:
    asked = _challenge("123456")
    wrong = challenges.code_digest(KEY, "654321")
    outcomes = []
    for tries in range(5):
        outcomes.append(challenges.check(dataclasses.replace(asked, tries=tries), wrong, NOW))
    assert outcomes == [Outcome.WRONG] * 4 + [Outcome.EXHAUSTED]
    spent = dataclasses.replace(asked, tries=5)
    assert challenges.check(spent, challenges.code_digest(KEY, "123456"), NOW) is Outcome.EXHAUSTED


def test_a_code_digest_needs_the_key_and_a_link_is_stored_as_its_digest() -> None:
    assert challenges.code_digest(KEY, "123456") != challenges.code_digest(b"o" * 32, "123456")
    token = challenges.new_link_token()
    assert len(token) >= 43 and challenges.link_digest(token) != token


# --- the second factor ---------------------------------------------------------------------------
def test_a_totp_code_is_accepted_once_with_one_step_of_drift() -> None:
    secret = second_factor.new_secret()
    totp = pyotp.TOTP(secret)
    now = datetime.fromtimestamp(1_790_000_000, UTC)
    step = int(now.timestamp()) // 30
    assert second_factor.accepted_step(secret, totp.at(now), None, now) == step
    assert second_factor.accepted_step(secret, totp.at(now), step, now) is None  # replayed
    before = totp.at(now - timedelta(seconds=30))
    assert second_factor.accepted_step(secret, before, None, now) == step - 1
    assert second_factor.accepted_step(secret, totp.at(now - timedelta(seconds=90)), None, now) is None
    uri = urlsplit(second_factor.provisioning_uri(secret, "m@example.vn"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query)["issuer"] == ["Xứ Đông Stages"] and parse_qs(uri.query)["secret"] == [secret]


def test_recovery_codes_are_ten_distinct_and_read_without_case_or_spaces() -> None:
    codes = second_factor.new_recovery_codes()
    assert len(set(codes)) == 10
    assert second_factor.recovery_digest(f" {codes[0].upper()} ") == second_factor.recovery_digest(codes[0])


# --- the lockout -----------------------------------------------------------------------------------
def test_failures_cost_nothing_then_slow_down_then_lock_for_fifteen_minutes() -> None:
    failures: list[datetime] = []
    waits = []
    for n in range(10):
        failures.append(NOW + timedelta(seconds=n))
        until = lockout.wait_until(failures, failures[-1])
        waits.append((until - failures[-1]).total_seconds() if until else 0)
    assert waits[:2] == [0, 0]
    assert waits[2:9] == [1, 2, 4, 8, 16, 32, 64]
    assert waits[9] == 15 * 60
    assert lockout.wait_until(failures, failures[-1] + timedelta(minutes=15)) is None


def test_failures_older_than_the_window_are_forgotten() -> None:
    old = [NOW - timedelta(minutes=16) + timedelta(seconds=n) for n in range(9)]
    assert lockout.wait_until(old, NOW) is None


def test_a_client_shared_by_many_gets_more_room_than_one_account() -> None:
    failures = [NOW + timedelta(seconds=n) for n in range(19)]
    assert lockout.wait_until(failures, failures[-1], lockout.CLIENT) is None
    assert lockout.wait_until(failures, failures[-1]) == failures[9] + lockout.LOCKED_FOR  # an account's
    failures.append(NOW + timedelta(seconds=19))
    assert lockout.wait_until(failures, failures[-1], lockout.CLIENT) == failures[-1] + timedelta(seconds=1)
