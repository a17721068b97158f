"""import_bakery's modes: merge, update and replace, dry runs, summaries, repeated imports."""

import json
import uuid
from decimal import Decimal

import pytest

from bakery.models import Composition, Event, FinishedGood, Ingredient, Recipe, RecipeIngredient
from exchange.schema import SECTIONS
from production.models import ProductionRun
from tests.factories import (
    EventFactory,
    IngredientFactory,
    ProductionRunFactory,
    RecipeFactory,
    rich_bakery,
)
from tests.helpers import empty_database, export_document, import_file, row_count, snapshot, table

MODES = ("merge", "update", "replace")


def write(path, document) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def top_level(document) -> dict:
    return {section.key: len(document[section.key]) for section in SECTIONS}


def find(records, **fields):
    return next(r for r in records if all(r[k] == v for k, v in fields.items()))


@pytest.fixture
def exported(bakery, tmp_path):
    """build_bakery() exported to a file: (path, document)."""
    document = export_document()
    return write(tmp_path / "bakery.json", document), document


def test_merge_into_the_database_it_came_from_leaves_every_record_unchanged(exported):
    path, document = exported
    before = snapshot(ids=False)

    out, err = import_file(path)

    assert snapshot(ids=False) == before
    assert err == ""
    assert table(out) == {
        **{key: (0, 0, count, 0) for key, count in top_level(document).items()},
        "total": (0, 0, sum(top_level(document).values()), 0),
    }


def test_merge_twice_changes_nothing_the_second_time(exported):
    path, document = exported
    empty_database()
    first_out, _ = import_file(path)
    after_first = snapshot(ids=False)

    out, err = import_file(path)

    total = sum(top_level(document).values())
    assert table(first_out)["total"] == (total, 0, 0, 0)
    assert table(out)["total"] == (0, 0, total, 0)
    assert all(
        created == updated == skipped == 0 for created, updated, _, skipped in table(out).values()
    )
    assert snapshot(ids=False) == after_first
    assert err == ""


def test_merge_finds_unicode_nulls_limits_and_offsets_unchanged_in_their_own_export(db, tmp_path):
    rich_bakery()
    document = export_document()
    path = write(tmp_path / "rich.json", document)
    before = snapshot(ids=False)

    out, err = import_file(path)
    again, _ = import_file(path, "--mode", "update")

    assert err == ""
    assert table(out)["total"] == (0, 0, sum(top_level(document).values()), 0)
    assert table(again)["total"] == (0, 0, sum(top_level(document).values()), 0)
    assert snapshot(ids=False) == before


def test_merge_leaves_records_whose_fields_differ_and_counts_them_skipped(
    bakery, exported, tmp_path
):
    _, document = exported
    before = snapshot(ids=False)
    ingredient = document["ingredients"][1]
    ingredient["category"] = "Changed"
    recipe = document["recipes"][0]
    recipe["ingredients"][0]["quantity"] = "9.0000"
    good = find(document["finished_goods"], name=bakery.finished_goods[1].name)
    assert len(good["components"]) == 2
    good["components"] = good["components"][:1]
    good_index = document["finished_goods"].index(good)
    run = document["production_runs"][2]
    run["notes"] = "changed"
    run["actual_yield"] += 1
    path = write(tmp_path / "changed.json", document)

    out, err = import_file(path)

    assert snapshot(ids=False) == before
    counts = table(out)
    assert counts["ingredients"] == (0, 0, 2, 1)
    assert counts["recipes"] == (0, 0, 1, 1)
    assert counts["finished_goods"] == (0, 0, 1, 1)
    assert counts["production_runs"] == (0, 0, 4, 1)
    assert counts["total"] == (0, 0, sum(top_level(document).values()) - 4, 4)
    assert err.splitlines() == [
        f"warning: ingredients[1]: '{ingredient['name']}' already exists with a different "
        "category; left as it is (merge)",
        f"warning: recipes[0]: '{recipe['name']}' already exists with a different "
        "ingredients; left as it is (merge)",
        f"warning: finished_goods[{good_index}]: '{good['name']}' already exists with a "
        "different components; left as it is (merge)",
        f"warning: production_runs[2]: '{run['uuid']}' already exists with a different "
        "actual_yield, notes; left as it is (merge)",
    ]


def test_update_sets_fields_and_replaces_nested_lists(bakery, exported, tmp_path):
    _, document = exported
    ingredient = document["ingredients"][0]
    ingredient["category"] = "Flours"
    ingredient["notes"] = "Stone-ground"
    cookies = find(document["recipes"], name=bakery.recipes[0].name)
    assert len(cookies["ingredients"]) == 2
    cookies["ingredients"] = [{**cookies["ingredients"][1], "quantity": "3.5000"}]
    tin = find(document["finished_goods"], name=bakery.finished_goods[1].name)
    cookie_name = bakery.finished_units[0].name
    tin["components"] = [{"finished_unit_name": cookie_name, "quantity": 5, "sort_order": 7}]
    run = find(document["production_runs"], uuid=str(bakery.production_runs[0].uuid))
    run["actual_yield"] = 1
    run["notes"] = "dropped a tray"
    event = find(document["events"], name=bakery.events[1].name)
    event["notes"] = "moved indoors"
    path = write(tmp_path / "changed.json", document)

    out, err = import_file(path, "--mode", "update")

    assert err == ""
    counts = table(out)
    assert counts["ingredients"] == (0, 1, 2, 0)
    assert counts["recipes"] == (0, 1, 1, 0)
    assert counts["finished_goods"] == (0, 1, 1, 0)
    assert counts["events"] == (0, 1, 1, 0)
    assert counts["production_runs"] == (0, 1, 4, 0)
    assert counts["total"] == (0, 5, sum(top_level(document).values()) - 5, 0)
    changed = Ingredient.objects.get(name=ingredient["name"])
    assert (changed.category, changed.notes) == ("Flours", "Stone-ground")
    assert list(
        RecipeIngredient.objects.filter(recipe__name=cookies["name"]).values_list(
            "ingredient__name", "quantity"
        )
    ) == [(cookies["ingredients"][0]["ingredient_name"], Decimal("3.5000"))]
    assert list(
        Composition.objects.filter(assembly__name=tin["name"]).values_list(
            "finished_unit__name", "finished_good", "quantity", "sort_order"
        )
    ) == [(cookie_name, None, 5, 7)]
    saved = ProductionRun.objects.get(uuid=run["uuid"])
    assert (saved.actual_yield, saved.notes) == (1, "dropped a tray")
    assert Event.objects.get(name=event["name"]).notes == "moved indoors"
    updated = snapshot(ids=False)
    empty_database()
    import_file(path)
    assert snapshot(ids=False) == updated


def test_update_keeps_records_the_file_lacks(exported, tmp_path):
    _, document = exported
    extra = RecipeFactory(name="Not in the file", ingredients=[(IngredientFactory(), 1)])

    import_file(write(tmp_path / "same.json", document), "--mode", "update")

    assert Recipe.objects.get(name="Not in the file") == extra
    assert extra.ingredients.count() == 1


def test_replace_removes_what_the_file_lacks_and_loads_what_it_holds(bakery, exported):
    path, document = exported
    as_exported = snapshot(ids=False)
    IngredientFactory(name="Saffron")
    extra = RecipeFactory(name="Saffron buns", ingredients=[(bakery.ingredients[0], 1)])
    ProductionRunFactory(standalone=True, finished_unit__recipe=extra)
    EventFactory(name="Lucia")
    FinishedGood.objects.filter(pk=bakery.finished_goods[0].pk).update(notes="edited")
    Composition.objects.filter(assembly=bakery.finished_goods[1]).delete()
    rows_before = row_count()
    records_before = sum(s.model.objects.count() for s in SECTIONS)
    lines_before = sum(s.nested.model.objects.count() for s in SECTIONS if s.nested)

    out, err = import_file(path, "--mode", "replace", "--noinput")

    assert err == ""
    assert snapshot(ids=False) == as_exported
    assert not Ingredient.objects.filter(name="Saffron").exists()
    assert not Event.objects.filter(name="Lucia").exists()
    lines = out.splitlines()
    assert lines[0] == f"Imported {path} (replace mode):"
    assert lines[1] == (
        f"Replace mode deletes first: {records_before} records and {lines_before} nested lines."
    )
    assert rows_before == records_before + lines_before
    assert table(out)["total"] == (sum(top_level(document).values()), 0, 0, 0)


def _differing_file(bakery, tmp_path):
    """Write a file that differs from the database: a changed, a new and a missing record."""
    document = export_document()
    document["ingredients"][0]["notes"] = "changed"
    document["ingredients"].append(
        {"name": "Cardamom", "category": "Spice", "recipe_unit": "tsp", "notes": None}
    )
    del document["assembly_runs"][0]
    return write(tmp_path / "differing.json", document)


@pytest.mark.parametrize("mode", MODES)
def test_dry_run_writes_nothing_and_reports_what_the_import_would_do(bakery, tmp_path, mode):
    path = _differing_file(bakery, tmp_path)
    before = snapshot(ids=False)

    dry_out, dry_err = import_file(path, "--mode", mode, "--noinput", "--dry-run")

    assert snapshot(ids=False) == before
    dry_lines = dry_out.splitlines()
    assert dry_lines[0] == f"Dry run of {path} ({mode} mode):"
    assert dry_lines[-1] == "Dry run: nothing was written."
    real_out, real_err = import_file(path, "--mode", mode, "--noinput")
    assert snapshot(ids=False) != before
    real_lines = real_out.splitlines()
    assert real_lines[0] == f"Imported {path} ({mode} mode):"
    assert dry_lines[1:-1] == real_lines[1:]
    assert dry_err == real_err


def test_dry_run_reports_exact_counts_per_mode(bakery, tmp_path):
    path = _differing_file(bakery, tmp_path)

    merge = table(import_file(path, "--dry-run")[0])
    update = table(import_file(path, "--mode", "update", "--dry-run")[0])
    replace = table(import_file(path, "--mode", "replace", "--noinput", "--dry-run")[0])

    assert merge["ingredients"] == (1, 0, 2, 1)
    assert update["ingredients"] == (1, 1, 2, 0)
    assert replace["ingredients"] == (4, 0, 0, 0)
    assert merge["assembly_runs"] == update["assembly_runs"] == (0, 0, 2, 0)
    assert replace["assembly_runs"] == (2, 0, 0, 0)


def test_summary_table_lists_the_sections_of_the_file_with_exact_counts(db, tmp_path):
    IngredientFactory(name="Flour", category="Baking", recipe_unit="cup")
    IngredientFactory(name="Sugar", category="Baking", recipe_unit="cup")
    document = {
        "format": "bakery-exchange",
        "version": 1,
        "exported_at": "2025-12-01T00:00:00Z",
        "ingredients": [
            {"name": "Flour", "category": "Baking", "recipe_unit": "cup"},
            {"name": "Sugar", "category": "Sweet", "recipe_unit": "cup"},
            {"name": "Salt", "category": "Baking", "recipe_unit": "pinch"},
        ],
        "recipes": [
            {
                "name": "Bread",
                "yield_quantity": 1,
                "ingredients": [{"ingredient_name": "Salt", "quantity": 2.25}],
            }
        ],
    }
    path = write(tmp_path / "small.json", document)

    merge_out, merge_err = import_file(path, "--dry-run")
    update_out, _ = import_file(path, "--mode", "update")

    assert merge_out == (
        f"Dry run of {path} (merge mode):\n"
        "section        created    updated  unchanged    skipped\n"
        "ingredients          1          0          1          1\n"
        "recipes              1          0          0          0\n"
        "total                2          0          1          1\n"
        "The file holds 4 records and 1 nested line.\n"
        "Dry run: nothing was written.\n"
    )
    assert merge_err == (
        "warning: ingredients[1]: 'Sugar' already exists with a different category; "
        "left as it is (merge)\n"
    )
    assert update_out == (
        f"Imported {path} (update mode):\n"
        "section        created    updated  unchanged    skipped\n"
        "ingredients          1          1          1          0\n"
        "recipes              1          0          0          0\n"
        "total                2          1          1          0\n"
        "The file holds 4 records and 1 nested line.\n"
    )
    assert RecipeIngredient.objects.get(recipe__name="Bread").quantity == Decimal("2.2500")


def test_verbosity_2_tells_where_the_time_went_per_section(bakery, tmp_path):
    path = write(tmp_path / "bakery.json", export_document())
    empty_database()

    _, quiet = import_file(path)
    empty_database()
    out, err = import_file(path, "--verbosity", "2")

    assert "Time per section" not in quiet
    lines = err.splitlines()
    start = lines.index("Time per section (reading and checking each record, then writing it):")
    header = ["section", "records", "read", "s", "write", "s", "us/record"]
    assert lines[start + 1].split() == header
    rows = {}
    for line in lines[start + 2 :]:
        if line.startswith("Checks between records"):
            break
        section, records, read, write_, per_record = line.split()
        rows[section] = (int(records), float(read), float(write_), float(per_record))
    # A row per section of the file, with the records the summary counts.
    assert {section: row[0] for section, row in rows.items()} == {
        section: created for section, (created, *_) in table(out).items() if section != "total"
    }
    for _, read, write_, per_record in rows.values():
        assert read >= 0 and write_ >= 0 and per_record > 0
    between = lines[start + 2 + len(rows)]
    assert between.startswith("Checks between records (references, duplicates, cycles): ")
    assert between.endswith(" s") and float(between.split()[-2]) >= 0


def test_run_without_uuid_is_given_a_new_one_with_a_warning(bakery, tmp_path):
    document = export_document()
    original = document["production_runs"][0].pop("uuid")
    path = write(tmp_path / "no-uuid.json", document)
    empty_database()

    out, err = import_file(path)

    assert err.splitlines() == [
        "warning: production_runs[0].uuid: missing; a new uuid was given, so importing this "
        "file again would duplicate this run"
    ]
    runs = set(ProductionRun.objects.values_list("uuid", flat=True))
    assert len(runs) == len(document["production_runs"])
    assert uuid.UUID(original) not in runs
    (given,) = runs - {uuid.UUID(r["uuid"]) for r in document["production_runs"] if "uuid" in r}
    assert given.version == 4
    assert table(out)["production_runs"] == (5, 0, 0, 0)


@pytest.mark.parametrize("mode", MODES)
def test_importing_the_same_file_twice_leaves_the_database_as_after_the_first_time(
    bakery, tmp_path, mode
):
    path = _differing_file(bakery, tmp_path)
    RecipeFactory(name="Only in the database")

    _, first_err = import_file(path, "--mode", mode, "--noinput")
    after_first = snapshot(ids=False)
    out, err = import_file(path, "--mode", mode, "--noinput")

    assert snapshot(ids=False) == after_first
    # Merge leaves the changed record as it is, so it says so again; the others made it equal.
    assert err == (first_err if mode == "merge" else "")
    assert (err != "") == (mode == "merge")
    created, updated, unchanged, skipped = table(out)["total"]
    if mode == "replace":
        assert (updated, unchanged, skipped) == (0, 0, 0)
    else:
        assert (created, updated, skipped) == (0, 0, 1 if mode == "merge" else 0)
