"""An import's and an export's queries grow with sections and batches, not with records."""

import math
from io import StringIO

import pytest
from django.core.management import call_command

from exchange import writer
from exchange.importer import BATCH_SIZE
from exchange.schema import SECTIONS
from exchange.writer import CREATE_BATCH_SIZE
from production.models import AssemblyRun, ProductionRun
from tests.factories import AssemblyRunFactory, ProductionRunFactory, build_bakery
from tests.helpers import empty_database


def _bakery_with_runs(runs: int):
    bakery = build_bakery()
    event = bakery.events[0]
    unit, good = bakery.finished_units[0], bakery.finished_goods[0]
    ProductionRun.objects.bulk_create(
        ProductionRunFactory.build(event=event, finished_unit=unit, recipe=unit.recipe)
        for _ in range(runs)
    )
    AssemblyRun.objects.bulk_create(
        AssemblyRunFactory.build(event=None, finished_good=good) for _ in range(runs // 2)
    )
    return bakery


def _export(tmp_path):
    path = tmp_path / "bakery.json"
    call_command("export_bakery", output=str(path), stderr=StringIO())
    return path


def _batches(count: int) -> int:
    """Return how many queries a batched write of count records takes: a spool batch of 500
    records is written with executemany in INSERTs of at most 1,000 rows."""
    return math.ceil(count / BATCH_SIZE) + math.ceil(count / CREATE_BATCH_SIZE)


def _run_batches(runs: int) -> int:
    return _batches(runs) + _batches(runs // 2)


# A fixed number per section (existing keys, names, savepoints) and one per batch: with one
# query per record, 2,000 runs would take thousands.
@pytest.mark.parametrize("runs", [200, 2000])
def test_import_queries_do_not_grow_with_records(db, tmp_path, django_assert_max_num_queries, runs):
    _bakery_with_runs(runs)
    path = _export(tmp_path)
    empty_database()
    with django_assert_max_num_queries(45 + _run_batches(runs)):
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=StringIO())
    assert ProductionRun.objects.count() == runs + 5


# Into empty tables on SQLite, large sections are copied in key order (SortedInserter): per
# section a temporary table, the index list, the copy and the temporary table dropped, and
# each plain index (at most three) dropped and made again.
SORTED_COPY_QUERIES = 4 + 2 * 3


@pytest.mark.parametrize("runs", [200, 2000])
def test_import_queries_do_not_grow_with_records_when_copied_in_key_order(
    db, tmp_path, django_assert_max_num_queries, monkeypatch, runs
):
    monkeypatch.setattr(writer, "SORTED_INSERT_MIN", 1)
    _bakery_with_runs(runs)
    path = _export(tmp_path)
    empty_database()
    bound = 45 + _run_batches(runs) + SORTED_COPY_QUERIES * len(SECTIONS)
    with django_assert_max_num_queries(bound):
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=StringIO())
    assert ProductionRun.objects.count() == runs + 5


@pytest.mark.parametrize("runs", [200, 2000])
def test_merge_import_of_existing_records_queries_do_not_grow(
    db, tmp_path, django_assert_max_num_queries, runs
):
    _bakery_with_runs(runs)
    path = _export(tmp_path)
    with django_assert_max_num_queries(45 + _run_batches(runs)):
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=StringIO())


@pytest.mark.parametrize("runs", [200, 2000])
def test_export_queries_do_not_grow_with_records(db, tmp_path, django_assert_max_num_queries, runs):
    _bakery_with_runs(runs)
    with django_assert_max_num_queries(30):
        _export(tmp_path)
