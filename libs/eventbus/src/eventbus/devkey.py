"""The development signing key, committed so that anyone can mint local tokens (`xudong token`,
the tests): the identity service publishes it, beside its own keys, only in development
(XUDONG_ENV=development), and no service accepts a token under its kid anywhere else."""

import functools
import time
from typing import Any

import jwt

from eventbus.auth import AUDIENCE, DEV_KID, ROLES

DEV_KEY = {
    "kty": "RSA",
    "n": (
        "w0qgDjpdwXp6838IpzDXxp5hT6t1y41j7E-t---e8-g9LtqBnopHB8lFOTdfi6IbxhQBY5tY3I1uBBYCoQTROUKy"
        "jeJrJlkmAf-p6VIuowrrtxfY1zKYhqeZp8Y1UYusSLKCFtwhVCdeDvL4ez9TinFLm21ywq2vFLC7tJWKNJIwpo7r"
        "_i5p_pFAwRoTjgtmxuWuyJWf6raLF25a6GfaVQfHfzpkypSmGp_kEoayL6LusRt4EN7al0r4d2vpV8AbIzaQJQyQ"
        "5X5_OykPGhH942KhzGn0RdpVjtSnozp-Ol0GGcneZ9YQVD3eAVzifSSe5N9u_p3yZeHRJJYqMH-WnQ"
    ),
    "e": "AQAB",
    "d": (
        "BbvRwIwYx2eSZ13X2T2C0zQR18qO-cNGFeZ55LdJ0ARAHoUVt5vZnZI5njS_NxHKUWqDlZAfL9IoGLH6X7DeeJki"
        "qkUf2IDLdb3V0mHPcs-NIpNuWA8di5EWDU_UUQMX1mlLSMAUa1VSMd0qQDAYjjgLyAB7ZsHsZ8jJ19ppBWiDtD5x"
        "mhEny6BtRjUvOu_uu3_abigPQTfuK_97CUTnk_pvTdhdMhMk-U6Gx4A4rU52dzVxTKya7h6Uh0Aa5QJmnwxmJLjH"
        "d2F1pHvcGi2jXbhjBClj3b1Oi_JorUpwqP_Zu32dyDL-I69ToM1_7tQ_ScJfHncRvK4S86ofWbwurw"
    ),
    "p": (
        "4JXPAw-70INo2sc-aDou4v3wGnC5383Bu3GZ3nP7ZhlVLJDseClrHNslvXxEA0JWtUgu8yS33H-tevrw9JRr4htB"
        "45eT6hiCVcdiqnCUP1oZ8hAO05P3wOBHtUPsYKpdLxMFcF_qP3pV2f1RVQB-EmvBvmjGYoa5dhY31-ouqms"
    ),
    "q": (
        "3pvWG1xaMp3Y7Z-XZPEYSmiZD5XiOiPyZQOrCyma11UQyGhe2iTpb_tL9cFTP4bgIs-6DqDfZke_GeGJJH_b9JK9"
        "KXen6BAkIJT50owruJw-6AOdbHERfXSjisyRvW6lQ8hy8ds8PvKp3xik8Tv3RjrJWrgntsE0dqr5ARralRc"
    ),
    "dp": (
        "D1Foezb5gnFUF4f7c7R0OjtDwynpI6CvFA_dhNS4UvBrZMzFtDRu_9raqh_tq6M8ssSnnyHkAIAc3wR6ptPwv81I"
        "IzPVfOQLD7q3uhRPqDqHBoGd4UR4Y4lomq51UuqLzIgpmM6R9Z5seJ_Uik2sS6lZ35jZ3yJ9R9agHHP2lt0"
    ),
    "dq": (
        "L3Okljx_dZ60KSMF0JycAvB9ABeBG8eh2eqIQV7jBNe7Nh0ZawLHR_mXXZGSP05u5LzG-mtMc68Di27KHx-qMV4-"
        "OGKrRgp6yP84qar7fuS_fBGZMw5_HfEJE4M75dd6HxLRfcCv_PMZRtcoAcw4j53kYhQzUv-oQUt8vMGOqo0"
    ),
    "qi": (
        "kAyvLrIl_9eJKKww3rdDGFjLsYEUalOuBac5c1wj3IiUHhTfUu4PHugk0L6WSffDdgFQ-QFifa3DDoAejB70eIxN"
        "KBpPjYbF9uw0_GhrRWUsrcaR_gEQ1IAOdu4bZpsChkmRUtwGJhanqCZ1j5z5AykLh907wOrRQGVP6mM7pnQ"
    ),
    "kid": DEV_KID,
    "alg": "RS256",
    "use": "sig",
}


def development_token(
    issuer: str, role: str, sub: str, venues: tuple[str, ...] = (), ttl: int = 12 * 3600
) -> str:
    """A bearer token as the identity service issues them, signed with the development key."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": sub,
        "role": role,
        "venues": list(venues),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, _private_key(), algorithm="RS256", headers={"kid": DEV_KID})


@functools.cache
def _private_key() -> Any:
    return jwt.PyJWK(DEV_KEY).key


def development_public_key() -> dict[str, str]:
    """The development key's public half, as the identity service publishes it in development."""
    return {k: DEV_KEY[k] for k in ("kty", "n", "e", "kid", "alg", "use")}
