"""Passwords: stored as Argon2id with the parameters OWASP's Password Storage Cheat Sheet gives
first (19 MiB, two passes, one lane); at least MIN_LENGTH characters and at most MAX_LENGTH (a
megabyte to hash at every attempt would be a denial of service), and none of the common passwords
shipped beside this module (the list of zxcvbn, MIT, as long as MIN_LENGTH or longer)."""

import functools
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH, MAX_LENGTH = 10, 128
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


@functools.cache
def common_passwords() -> frozenset[str]:
    listed = resources.files("identity.domain").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in listed.splitlines() if line.strip())


def problems(password: str, email: str = "") -> list[str]:
    """What is wrong with a new password, each as the person is told it; none: it will do."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    folded = password.casefold()
    if folded in common_passwords():
        found.append("This password is among the most common ones: choose another.")
    local = email.partition("@")[0].casefold()
    if len(local) >= 4 and local in folded:
        found.append("Do not build the password on your email address.")
    return found


def hash_password(password: str) -> str:
    return HASHER.hash(password)


@functools.cache
def _decoy() -> str:
    return HASHER.hash("a decoy that no account has: the time of a check is the same without one")


def matches(stored: str | None, password: str) -> bool:
    """Whether `password` is the one `stored` hashes. With no account (`stored` None) a decoy is
    checked all the same, so that the time taken does not tell whether the email is registered."""
    try:
        return HASHER.verify(stored or _decoy(), password[: MAX_LENGTH + 1]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Hashed with other parameters than today's: hash it again at the next good sign-in."""
    return HASHER.check_needs_rehash(stored)
