"""The migrations build exactly the tables the code describes (db.py), for every service: a table,
column, index or constraint added to one and not the other fails here."""

import uuid
from types import ModuleType

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import booking.db
import identity.db
import notifications.db
import venues.db
from eventbus.migrations import upgrade
from xudong.processes import ROOT
from xudong.stack import Stack

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    "service, tables",
    [
        ("booking", booking.db),
        ("venues", venues.db),
        ("notifications", notifications.db),
        ("identity", identity.db),
    ],
)
def test_a_freshly_migrated_database_matches_the_tables_in_the_code(
    stack: Stack, service: str, tables: ModuleType
) -> None:
    name = f"{service}_schema_{uuid.uuid4().hex[:6]}"
    stack.create_database(name)
    upgrade(ROOT / "services" / service, stack.database_url(name))
    engine = sa.create_engine(stack.database_url(name))
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    engine.dispose()
    assert [d for d in differences if d[0] != "remove_table" or d[1].name != "alembic_version"] == []
