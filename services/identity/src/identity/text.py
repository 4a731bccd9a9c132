"""What the provider's own pages say, in Vietnamese first and in English."""

from flask import request

LANGUAGES = ("vi", "en")
TEXT: dict[str, dict[str, str]] = {
    "sign_in": {"vi": "Đăng nhập", "en": "Sign in"},
    "email": {"vi": "Email", "en": "Email"},
    "password": {"vi": "Mật khẩu", "en": "Password"},
    "site": {"vi": "Xứ Đông Stages", "en": "Xứ Đông Stages"},
    "wrong_password": {
        "vi": "Email hoặc mật khẩu không đúng. Hãy thử lại, hoặc đặt lại mật khẩu nếu bạn đã quên.",
        "en": "The email or password is not right. Try again, or reset your password if you forgot it.",
    },
    "locked": {
        "vi": "Có quá nhiều lần đăng nhập sai. Hãy thử lại sau {until} (giờ Việt Nam).",
        "en": "Too many failed sign-ins. Try again after {until} (Vietnam time).",
    },
    "unverified": {
        "vi": "Hãy xác nhận email của bạn trước: mở đường liên kết chúng tôi đã gửi đến hộp thư.",
        "en": "Confirm your email first: open the link we sent to your inbox.",
    },
    "suspended": {
        "vi": "Tài khoản này đang bị tạm khóa. Hãy liên hệ Sở Văn hóa để biết thêm.",
        "en": "This account is suspended. Contact the Department of Culture to learn more.",
    },
    "expired_form": {
        "vi": "Biểu mẫu đã hết hạn. Hãy thử lại.",
        "en": "The form expired. Please try again.",
    },
    "bad_request": {
        "vi": "Yêu cầu đăng nhập này không hợp lệ: {detail} Hãy quay lại trang trước và thử lại.",
        "en": "This sign-in request is not valid: {detail} Go back to the previous page and try again.",
    },
    "verify_title": {"vi": "Xác nhận email", "en": "Confirm your email"},
    "verify_button": {"vi": "Xác nhận email của tôi", "en": "Confirm my email"},
    "verified": {
        "vi": "Email của bạn đã được xác nhận. Bây giờ bạn có thể đăng nhập.",
        "en": "Your email is confirmed. You can sign in now.",
    },
    "link_wrong": {
        "vi": "Đường liên kết này không đúng. Hãy mở lại đường liên kết trong email, nguyên vẹn.",
        "en": "This link is not right. Open the link in the email again, whole.",
    },
    "link_expired": {
        "vi": "Đường liên kết này đã hết hạn. Hãy xin đường liên kết mới: đăng ký lại bằng cùng email,"
        " hoặc xin đặt lại mật khẩu lần nữa.",
        "en": "This link has expired. Ask for a new one: sign up again with the same email, or ask"
        " for a password reset again.",
    },
    "link_used": {
        "vi": "Đường liên kết này đã được dùng rồi. Hãy đăng nhập, hoặc xin đường liên kết mới.",
        "en": "This link was used already. Sign in, or ask for a new link.",
    },
    "sign_out_title": {"vi": "Đăng xuất", "en": "Sign out"},
    "sign_out_button": {"vi": "Đăng xuất khỏi Xứ Đông Stages", "en": "Sign out of Xứ Đông Stages"},
    "signed_out": {"vi": "Bạn đã đăng xuất.", "en": "You are signed out."},
    "or_code": {"vi": "Hoặc đăng nhập bằng mã một lần", "en": "Or sign in with a one-time code"},
    "send_by": {"vi": "Gửi mã qua", "en": "Send the code by"},
    "by_email": {"vi": "Email", "en": "Email"},
    "by_sms": {"vi": "Tin nhắn SMS đến số điện thoại của tài khoản", "en": "SMS to the account's phone"},
    "send_code": {"vi": "Gửi mã cho tôi", "en": "Send me a code"},
    "code_sent": {
        "vi": "Nếu email này có tài khoản, chúng tôi vừa gửi một mã 6 chữ số, dùng được trong 5 phút.",
        "en": "If this email has an account, we just sent a 6-digit code, good for 5 minutes.",
    },
    "code_label": {"vi": "Mã 6 chữ số", "en": "6-digit code"},
    "wrong_code": {
        "vi": "Mã không đúng hoặc đã hết hạn. Hãy nhập lại, hoặc xin một mã mới.",
        "en": "The code is not right or has expired. Enter it again, or ask for a new one.",
    },
    "totp_label": {"vi": "Mã từ ứng dụng xác thực", "en": "Code from your authenticator app"},
    "totp_hint": {
        "vi": "Mở ứng dụng xác thực và nhập mã 6 chữ số, hoặc một mã khôi phục.",
        "en": "Open your authenticator app and enter its 6-digit code, or a recovery code.",
    },
    "qr_title": {"vi": "Mã QR cho ứng dụng xác thực", "en": "QR code for your authenticator app"},
    "enroll_intro": {
        "vi": "Tài khoản của bạn cần lớp bảo vệ thứ hai. Quét mã QR bằng ứng dụng xác thực"
        " (như Google Authenticator), rồi nhập mã nó hiện ra.",
        "en": "Your account needs a second factor. Scan the QR code with an authenticator app"
        " (such as Google Authenticator), then enter the code it shows.",
    },
    "enroll_secret": {"vi": "Không quét được? Nhập khóa này:", "en": "Cannot scan? Enter this key:"},
    "enroll_open": {
        "vi": "Mở trong ứng dụng xác thực trên máy này",
        "en": "Open in an authenticator app on this device",
    },
    "enroll_button": {"vi": "Xác nhận", "en": "Confirm"},
    "recovery_intro": {
        "vi": "Lưu các mã khôi phục này ở nơi an toàn. Mỗi mã dùng được một lần nếu bạn mất điện thoại."
        " Chúng sẽ không hiện lại.",
        "en": "Keep these recovery codes somewhere safe. Each works once if you lose your phone."
        " They will not be shown again.",
    },
    "continue": {"vi": "Tôi đã lưu, tiếp tục", "en": "I saved them, continue"},
    "reset_title": {"vi": "Đặt mật khẩu mới", "en": "Choose a new password"},
    "forgot_password": {"vi": "Quên mật khẩu?", "en": "Forgot your password?"},
    "reset_ask": {
        "vi": "Nhập email của tài khoản: chúng tôi sẽ gửi đến đó một đường liên kết để đặt mật khẩu mới,"
        " có hiệu lực trong một giờ.",
        "en": "Enter your account's email: we will send it a link to choose a new password,"
        " good for an hour.",
    },
    "send_reset_link": {"vi": "Gửi đường liên kết", "en": "Send the link"},
    "reset_sent": {
        "vi": "Nếu địa chỉ này có tài khoản, chúng tôi đã gửi đường liên kết đến đó. Hãy kiểm tra hộp thư"
        " (một đường liên kết mỗi phút).",
        "en": "If this address has an account, we sent it the link. Check your inbox (one link a minute).",
    },
    "bad_email": {
        "vi": "Hãy nhập một địa chỉ email hợp lệ, ví dụ ten@example.vn.",
        "en": "Enter a valid email address, such as name@example.vn.",
    },
    "new_password": {"vi": "Mật khẩu mới", "en": "New password"},
    "password_hint": {
        "vi": "Ít nhất 10 ký tự; không dùng mật khẩu phổ biến.",
        "en": "At least 10 characters; not a common password.",
    },
    "reset_button": {"vi": "Lưu mật khẩu mới", "en": "Save the new password"},
    "password_changed": {
        "vi": "Mật khẩu của bạn đã được đổi. Hãy đăng nhập bằng mật khẩu mới.",
        "en": "Your password is changed. Sign in with the new one.",
    },
}


def language() -> str:
    """The page's language: the one the client asks for (`ui_locales`), else the browser's, else vi."""
    asked = [tag.split("-")[0] for tag in request.values.get("ui_locales", "").split()]
    chosen = next((tag for tag in asked if tag in LANGUAGES), None)
    return chosen or request.accept_languages.best_match(LANGUAGES) or "vi"


def say(key: str, **values: str) -> str:
    return TEXT[key][language()].format(**values)
