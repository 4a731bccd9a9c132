"""The unit of work's named lock: one transaction's until it ends, another is told it is taken."""

from typing import Any

import pytest
import sqlalchemy as sa

from eventbus.runtime import UnitOfWork
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def test_a_name_one_transaction_locked_is_refused_to_another_until_the_first_ends(stack: Stack) -> None:
    engine = sa.create_engine(stack.database_url("postgres"))
    runtime: Any = None  # what a unit of work on a given connection never reads
    try:
        with engine.connect() as one, engine.connect() as other:
            one.begin(), other.begin()
            with UnitOfWork(runtime, one) as first, UnitOfWork(runtime, other) as second:
                assert first.lock("schedule: a") is True
                taken = [second.lock("schedule: a", wait=False), second.lock("schedule: b", wait=False)]
                one.rollback()
                assert [*taken, second.lock("schedule: a", wait=False)] == [False, True, True]
    finally:
        engine.dispose()
