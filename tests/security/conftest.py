"""The world of the access matrix, made once for the security tests that read it."""

from collections.abc import Iterator

import pytest

from tests.security.access_world import World, make_world
from xudong.stack import Stack


@pytest.fixture(scope="session")
def world(platform: Stack) -> Iterator[World]:
    yield from make_world(platform)
