"""Fixtures shared by every test: the real stack, started once per run on shifted ports."""

import os
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.2) -> T:
    """The first truthy answer of `check` within `timeout` seconds; fails the test otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {timeout} s: {check.__doc__ or check}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def stack() -> Iterator["Stack"]:  # noqa: F821
    from xudong.stack import Stack

    os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")
    running = Stack()
    running.start_infrastructure()
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def platform(stack: "Stack") -> "Stack":  # noqa: F821
    """The three services (api, relay, worker each) running on the stack."""
    stack.start_services()
    return stack
