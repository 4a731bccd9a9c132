"""The signing keys' life, on a clock: the first signs at once; each next one is published AHEAD
of its turn and takes over from the last; a key is published until its successor has signed for
longer than a token lives and a cached key set is kept, and no longer; sealed keys open only with
their own key-encryption key and row."""

import dataclasses
import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag

from identity.keys import TOKEN_LIFETIME, new_key, next_key_due, published, signing, thumbprint, unseal

T0 = datetime(2026, 12, 1, tzinfo=UTC)
EVERY, AHEAD = timedelta(days=30), timedelta(minutes=5)
KEK = os.urandom(32)
RFC_7638_KEY = {  # the example of RFC 7638, section 3.1
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWK"
        "RXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMic"
        "AtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3"
        "XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
    "e": "AQAB",
}


def test_a_key_is_named_by_its_rfc_7638_thumbprint() -> None:
    assert thumbprint(RFC_7638_KEY) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    key = new_key(KEK, T0, T0)
    assert key.kid == thumbprint(key.public_jwk)
    assert set(key.public_jwk) == {"kty", "n", "e", "kid", "alg", "use"}  # nothing private published


def test_the_first_key_signs_at_once_and_the_next_is_published_ahead_of_its_turn() -> None:
    assert next_key_due([], T0, EVERY, AHEAD) == T0
    first = new_key(KEK, T0, T0)
    assert next_key_due([first], T0 + EVERY - AHEAD - timedelta(seconds=1), EVERY, AHEAD) is None
    made_at = T0 + EVERY - AHEAD
    due = next_key_due([first], made_at, EVERY, AHEAD)
    assert due == made_at + AHEAD
    second = new_key(KEK, made_at, due)
    keys = [first, second]
    assert signing(keys, made_at) == first  # published, not yet signing
    assert published(keys, made_at, AHEAD) == [first, second]
    assert signing(keys, due) == second


def test_a_key_stays_published_until_what_it_signed_has_expired_and_no_cache_holds_it() -> None:
    first = new_key(KEK, T0, T0)
    second = new_key(KEK, T0 + EVERY - AHEAD, T0 + EVERY)
    keys = [first, second]
    last_valid = T0 + EVERY + TOKEN_LIFETIME + AHEAD
    assert published(keys, last_valid - timedelta(seconds=1), AHEAD) == [first, second]
    assert published(keys, last_valid, AHEAD) == [second]  # retired
    assert published(keys, T0 - timedelta(seconds=1), AHEAD) == []  # nothing before it is made


def test_a_sealed_key_opens_with_its_key_encryption_key_and_its_own_row_only() -> None:
    key, other = new_key(KEK, T0, T0), new_key(KEK, T0, T0)
    assert unseal(KEK, key).public_key().public_numbers().e == 65537
    with pytest.raises(InvalidTag):
        unseal(os.urandom(32), key)
    with pytest.raises(InvalidTag):  # another key's sealed bytes under this kid
        unseal(KEK, dataclasses.replace(key, sealed_private=other.sealed_private))
