"""What the identity service's challenges give rise to, on their own: one essential message by its
purpose, in its language, to the address it names by the channel it names (SMS through the
configured gateway only, and only for a code), its code or link and its expiry in Hải Dương's time;
and the contact details an account event leaves."""

from typing import Any, cast

import pytest

from eventbus.envelope import Envelope, new_event
from notifications.domain.messages import ADDRESS, CHALLENGE, Unsendable, messages
from notifications.handlers import follow_account, record
from notifications.render import render
from notifications.unit_of_work import NotificationsUnitOfWork

PURPOSES = ("verify_email", "reset_password", "sign_in_code", "already_registered")
EXPIRES = "2026-11-27T03:15:00+00:00"  # 10:15 in Hải Dương
LINK = "https://xudong.example/v1/verify?token=k3y"
SUBJECTS = {
    "verify_email": ("Xác nhận địa chỉ email của bạn", "Confirm your email address"),
    "reset_password": ("Đặt lại mật khẩu", "Reset your password"),
    "sign_in_code": ("Mã đăng nhập của bạn", "Your sign-in code"),
    "already_registered": ("Bạn đã có tài khoản", "You already have an account"),
}


class Recorded:
    """A unit of work that keeps what it is given."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.contacts: dict[str, dict[str, Any]] = {}

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.rows += rows

    def save_contact(self, recipient: str, **fields: Any) -> None:
        self.contacts[recipient] = fields


def challenge(purpose: str, channel: str = "email", language: str = "vi", **changed: Any) -> Envelope:
    address = "+84912345678" if channel == "sms" else "lan@example.vn"
    data = {
        "purpose": purpose,
        "channel": channel,
        "address": address,
        "language": language,
        "display_name": "Trần Thị Lan",
        "url": None if purpose in ("sign_in_code", "already_registered") else LINK,
        "code": "482913" if purpose == "sign_in_code" else None,
        "expires_at": EXPIRES,
    }
    return new_event("identity", CHALLENGE, "user-1", data | changed)


def recorded(event: Envelope) -> list[dict[str, Any]]:
    uow = Recorded()
    record(cast(NotificationsUnitOfWork, uow), event)
    return uow.rows


@pytest.fixture
def sms_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFICATIONS_SMS_URL", "http://127.0.0.1:9/sms")


@pytest.fixture
def no_sms_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFICATIONS_SMS_URL", raising=False)


@pytest.mark.parametrize("purpose", PURPOSES)
def test_each_purpose_is_its_own_essential_message_to_the_address_the_challenge_names(purpose: str) -> None:
    [message] = messages(CHALLENGE, challenge(purpose).data)
    assert (message.template, message.audience, message.essential) == (purpose, ADDRESS, True)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("purpose", PURPOSES)
def test_an_email_challenge_is_one_email_in_its_language_to_its_address_and_nothing_in_an_inbox(
    purpose: str, language: str
) -> None:
    [row] = recorded(challenge(purpose, language=language))
    assert {k: row[k] for k in ("channel", "address", "recipient", "template", "language", "status")} == {
        "channel": "email",
        "address": "lan@example.vn",
        "recipient": "address:email:lan@example.vn",
        "template": purpose,
        "language": language,
        "status": "pending",
    }
    assert row["essential"] and row["subject"] == SUBJECTS[purpose][language == "en"]


@pytest.mark.usefixtures("sms_gateway")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_sign_in_code_by_sms_goes_to_the_phone_through_the_gateway_without_a_contact(language: str) -> None:
    [row] = recorded(challenge("sign_in_code", "sms", language))
    assert (row["channel"], row["address"], row["recipient"]) == (
        "sms",
        "+84912345678",
        "address:sms:+84912345678",
    )
    assert "482913" in row["body"] and row["subject"] == SUBJECTS["sign_in_code"][language == "en"]


@pytest.mark.usefixtures("no_sms_gateway")
def test_without_an_sms_gateway_a_code_by_sms_is_not_queued_for_a_channel_nobody_sends_on() -> None:
    assert recorded(challenge("sign_in_code", "sms")) == []


@pytest.mark.usefixtures("sms_gateway")
@pytest.mark.parametrize("purpose", ["verify_email", "reset_password", "already_registered"])
def test_a_challenge_other_than_a_code_is_refused_by_sms(purpose: str) -> None:
    with pytest.raises(Unsendable, match=purpose):
        recorded(challenge(purpose, "sms"))


@pytest.mark.parametrize("purpose", ["verify_email", "reset_password"])
def test_a_link_and_its_expiry_in_local_time_are_in_both_languages(purpose: str) -> None:
    data = challenge(purpose).data
    _, vietnamese = render(purpose, "vi", data)
    _, english = render(purpose, "en", data)
    assert LINK in vietnamese and LINK in english
    assert "trước 10:15 27/11/2026" in vietnamese and "before 10:15 27/11/2026" in english
    assert "Xin chào Trần Thị Lan," in vietnamese and "Hello Trần Thị Lan," in english


def test_a_code_and_its_expiry_in_local_time_are_in_both_languages() -> None:
    data = challenge("sign_in_code").data
    assert render("sign_in_code", "vi", data)[1] == (
        "Mã đăng nhập Xứ Đông Stages của bạn là 482913, có hiệu lực đến 10:15 27/11/2026."
        " Không chia sẻ mã này với bất kỳ ai; chúng tôi không bao giờ hỏi mã của bạn.\n"
    )
    assert "sign-in code is 482913, valid until 10:15 27/11/2026." in render("sign_in_code", "en", data)[1]


def test_an_already_registered_address_is_told_to_sign_in_or_reset_and_needs_no_link() -> None:
    data = challenge("already_registered", display_name=None).data
    _, vietnamese = render("already_registered", "vi", data)
    _, english = render("already_registered", "en", data)
    assert vietnamese.startswith("Xin chào,\n") and english.startswith("Hello,\n")
    assert "đặt lại" in vietnamese and "đăng nhập" in vietnamese
    assert "reset it" in english and "sign in" in english and "None" not in english + vietnamese


@pytest.mark.parametrize("verified", [False, True])
def test_an_account_is_a_contact_whose_email_is_kept_only_once_verified(verified: bool) -> None:
    user = {
        "user_id": "user-7",
        "email": "hoa@example.vn",
        "email_verified": verified,
        "display_name": "Lê Hoa",
        "language": "en",
        "phone": "+84987654321",
        "zalo_id": None,
        "opted_out": ["sms"],
        "roles": ["organiser"],
        "organisation": None,
        "suspended": False,
    }
    uow = Recorded()
    follow_account(
        cast(NotificationsUnitOfWork, uow), new_event("identity", "identity.user.verified", "u", user)
    )
    assert uow.contacts == {
        "user-7": {
            "email": "hoa@example.vn" if verified else None,
            "phone": "+84987654321",
            "zalo_id": None,
            "language": "en",
            "opted_out": ["sms"],
        }
    }
