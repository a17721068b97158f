"""Export, empty the database, import, export again: the same document and the same rows."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bakery.models import FinishedGood, FinishedUnit, Package, Recipe, Recipient
from exchange.schema import SECTIONS
from production.models import AssemblyRun, ProductionRun
from tests.factories import INT_MAX, LARGEST, IngredientFactory, RecipeFactory, rich_bakery
from tests.helpers import (
    DELETE_ORDER,
    MODELS,
    document_records,
    empty_database,
    import_file,
    row_count,
    snapshot,
    without_exported_at,
)

# build_bakery() makes 47 rows; rich_bakery() adds 42: rows and document records alike.
ROUND_TRIP_RECORDS = 89


@pytest.fixture
def rich(db):
    """A bakery with every model, unicode and quotes, nulls, limits and odd UTC offsets."""
    return rich_bakery()


def test_delete_order_covers_every_model_once():
    assert sorted(m.__name__ for m in DELETE_ORDER) == sorted(m.__name__ for m in MODELS)
    assert len(DELETE_ORDER) == len(set(DELETE_ORDER)) == 15


def test_rich_bakery_holds_every_case_the_round_trip_claims_to_cover(rich):
    assert Recipe.objects.filter(estimated_time_minutes=None).exists()
    assert FinishedUnit.objects.filter(yield_mode="discrete_count", batch_percentage=None).exists()
    assert FinishedUnit.objects.filter(yield_mode="batch_portion", items_per_batch=None).exists()
    assert Package.objects.filter(is_template=True).exists()
    assert Package.objects.filter(contents=None).exists()
    assert FinishedGood.objects.filter(components=None).exists()
    assert ProductionRun.objects.filter(event=None).exists()
    assert ProductionRun.objects.filter(event__isnull=False).exists()
    assert AssemblyRun.objects.filter(event=None).exists()
    assert AssemblyRun.objects.filter(event__isnull=False).exists()
    assert ProductionRun.objects.filter(total_ingredient_cost=LARGEST).exists()
    assert sum(run.produced_at.microsecond != 0 for run in ProductionRun.objects.all()) >= 2
    assert Recipient.objects.filter(name__contains="'").exists()
    assert Recipe.objects.filter(name__contains='"').exists()
    for model in MODELS:
        assert model.objects.exists(), model.__name__
        for row in model.objects.all():
            row.full_clean()


def test_export_import_export_gives_the_same_document_and_the_same_rows(rich, tmp_path):
    first_path, second_path = tmp_path / "first.json", tmp_path / "second.json"
    before = snapshot(ids=False)
    assert row_count() == ROUND_TRIP_RECORDS

    call_command("export_bakery", "-o", str(first_path), stdout=StringIO(), stderr=StringIO())
    empty_database()
    out, err = import_file(first_path)
    after = snapshot(ids=False)
    call_command("export_bakery", "-o", str(second_path), stdout=StringIO(), stderr=StringIO())

    assert after == before
    first_text = first_path.read_text(encoding="utf-8")
    second_text = second_path.read_text(encoding="utf-8")
    first, second = json.loads(first_text), json.loads(second_text)
    assert without_exported_at(second) == without_exported_at(first)
    assert document_records(first) == ROUND_TRIP_RECORDS

    def other_lines(text):
        return [line for line in text.splitlines() if not line.startswith('  "exported_at": ')]

    assert len(other_lines(first_text)) == len(first_text.splitlines()) - 1
    assert other_lines(second_text) == other_lines(first_text)
    assert err == ""
    top_level = sum(len(first[section.key]) for section in SECTIONS)
    lines = sum(len(r.get(s.nested.key) or []) for s in SECTIONS if s.nested for r in first[s.key])
    assert out.splitlines()[-2].split() == ["total", str(top_level), "0", "0", "0"]
    assert out.splitlines()[-1] == f"The file holds {top_level} records and {lines} nested lines."


def test_round_trip_keeps_unicode_quotes_limits_and_offsets_in_the_file(rich, tmp_path):
    path = tmp_path / "bakery.json"
    call_command("export_bakery", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)

    assert 'Crème brûlée \\"Deluxe\\"' in text
    assert "🎁" in text and "\\u" not in text
    runs = {r["notes"]: r for r in document["production_runs"]}
    burnt = runs['Burnt one "a little" 🔥']
    assert burnt["produced_at"] == "2025-12-15T15:00:00.123456Z"
    assert burnt["total_ingredient_cost"] == "99999999.9999"
    assert burnt["per_unit_cost"] == "0.1330"
    assert burnt["event_name"] is None
    assert burnt["num_batches"] == INT_MAX
    leap = next(r for r in document["production_runs"] if r["event_name"] == "Leap day")
    assert leap["produced_at"] == "2028-02-28T11:15:00.000001Z"
    brulee = next(r for r in document["recipes"] if r["name"] == 'Crème brûlée "Deluxe"')
    assert brulee["estimated_time_minutes"] is None
    assert brulee["source"] is None and brulee["notes"] is None
    assert [i["quantity"] for i in brulee["ingredients"]] == ["0.1330", "99999999.9999"]


def test_import_refuses_rather_than_renames_names_with_other_blanks_at_their_ends(db, tmp_path):
    # Only validation-bypassing writes can store such names (the models refuse them), and
    # stripping them on import would rename the record between one copy and the next.
    RecipeFactory(name="Stollen\u00a0")
    IngredientFactory(name="Tab\t")
    path = tmp_path / "bakery.json"
    call_command("export_bakery", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    before = snapshot(ids=False)

    with pytest.raises(CommandError) as refused:
        import_file(path)

    assert refused.value.returncode == 1
    assert snapshot(ids=False) == before
