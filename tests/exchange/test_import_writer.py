"""How the import writes its records: what it stores, and the schema it leaves.

Into a large empty table on SQLite the import copies the rows in the order of their natural
key and makes the table's other indexes again afterwards (exchange.writer.SortedInserter);
beside existing records it inserts them as they come. Both must store the same values, and nothing
of the schema may change, whether the import lands or fails.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from exchange import writer
from production.models import AssemblyRun, ProductionRun
from tests.helpers import run_import, snapshot

RUN_MODELS = (ProductionRun, AssemblyRun)


def schema() -> dict:
    """Return every bakery and production table's constraints and indexes, as introspected."""
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
            for label in ("bakery", "production")
            for model in apps.get_app_config(label).get_models()
        }


def temporary_tables() -> list[str]:
    """Return the connection's temporary tables (SQLite keeps them in sqlite_temp_master)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        return [name for (name,) in cursor.fetchall()]


def stored_rows(model) -> dict:
    """Return uuid → every column but the id, as the database driver reads it back."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)}"
        )
        rows = cursor.fetchall()
    position = columns.index("uuid")
    return {row[position]: row for row in rows}


@pytest.fixture
def exported(db, tmp_path, monkeypatch) -> str:
    """A generated bakery of 60 production runs, exported to a file.

    Every empty table takes the sorted path, not only those of thousands of records.
    """
    monkeypatch.setattr(writer, "SORTED_INSERT_MIN", 1)
    call_command("generate_bakery", "--runs", "60", "--seed", "7", stdout=StringIO())
    path = tmp_path / "bakery.json"
    call_command("export_bakery", "--output", str(path), verbosity=0)
    return str(path)


def test_runs_written_into_empty_tables_are_stored_as_those_written_beside_others(exported):
    before = schema()
    for model in RUN_MODELS:
        model._default_manager.all().delete()

    outcome = run_import(exported)
    assert outcome.returncode == 0, outcome.stderr
    into_empty = {model: stored_rows(model) for model in RUN_MODELS}
    assert len(into_empty[ProductionRun]) == 60
    if connection.vendor == "sqlite":
        # Copied in uuid order: the sorted path was the one taken.
        for model in RUN_MODELS:
            uuids = list(model._default_manager.order_by("pk").values_list("uuid", flat=True))
            assert uuids == sorted(uuids)

    for model in RUN_MODELS:
        kept = model._default_manager.order_by("pk").first()
        model._default_manager.exclude(pk=kept.pk).delete()
    outcome = run_import(exported)
    assert outcome.returncode == 0, outcome.stderr
    beside_others = {model: stored_rows(model) for model in RUN_MODELS}

    assert beside_others == into_empty
    assert schema() == before
    assert temporary_tables() == []


REFUSE_ASSEMBLY_RUNS = {
    "sqlite": [
        """CREATE TRIGGER refuse_assembly_runs BEFORE INSERT ON production_assemblyrun
        BEGIN SELECT RAISE(ABORT, 'assembly runs refused'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_assembly_runs() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'assembly runs refused'; END $$""",
        """CREATE TRIGGER refuse_assembly_runs BEFORE INSERT ON production_assemblyrun
        FOR EACH ROW EXECUTE FUNCTION refuse_assembly_runs()""",
    ],
}


def test_an_import_refused_while_it_copies_runs_leaves_rows_and_indexes_as_they_were(exported):
    """The database refuses the assembly runs after the production runs went in: on SQLite
    while their table has no index but its unique one, in the middle of the copy."""
    with connection.cursor() as cursor:
        for sql in REFUSE_ASSEMBLY_RUNS[connection.vendor]:
            cursor.execute(sql)
    before_rows, before_schema = snapshot(), schema()

    # Replace empties every table first: the runs go into empty tables.
    outcome = run_import(exported, "--mode", "replace", "--noinput")

    assert outcome.returncode == 1
    assert "The database refused the import" in outcome.message
    assert "assembly runs refused" in outcome.message
    assert "nothing was written" in outcome.message
    assert snapshot() == before_rows
    assert schema() == before_schema
    assert temporary_tables() == []
