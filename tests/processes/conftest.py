"""The databases the process tests run their commands against."""

import os

import pytest

from tests.helpers import DEMO_TODAY
from tests.processes.databases import PostgresDatabase, SQLiteDatabase, check, manage


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A migrated database of either vendor holding the demo bakery."""
    if request.param == "sqlite":
        target = SQLiteDatabase(tmp_path / "target.sqlite3")
    else:
        target = PostgresDatabase(f"bakery_process_{os.getpid()}")
    try:
        check(manage(target.url, "migrate", "--noinput"))
        check(manage(target.url, "seed_demo", "--today", DEMO_TODAY))
        yield target
    finally:
        target.drop()
