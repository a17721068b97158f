"""Each version's shape imports, recognized by its header; a second import creates nothing;
the three modes and --dry-run; a version this bakery does not read is refused."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from bakery.models import Event, EventRecipientPackage, FinishedGood, Ingredient, Package, Recipe
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.baketracker.backups import SHAPES, backup, write
from tests.helpers import row_count, run_import, snapshot, table

# What every shape holds: the sections the app wrote at that version.
CATALOG = {
    "ingredients": 3,
    "recipes": 2,
    "finished_units": 2,
    "finished_goods": 1,
    "packages": 1,
    "recipients": 2,
    "events": 2,
    "event_recipient_packages": 2,
}
EVENT_CENTRIC = {
    "event_production_targets": 2,
    "event_assembly_targets": 1,
    "production_runs": 3,
    "assembly_runs": 1,
}


def created(out) -> dict:
    return {key: row[0] for key, row in table(out.stdout).items() if key != "total"}


@pytest.mark.parametrize("version", list(SHAPES))
def test_each_shape_imports_every_section_it_holds(db, tmp_path, version):
    out = run_import(write(tmp_path, backup(version)))
    assert out.returncode == 0, out.stderr + out.message
    expected = dict(CATALOG)
    if version in ("3.0", "3.1"):
        # No event-centric sections yet; 3.0's production record becomes a run.
        expected.update({"production_runs": 1} if version == "3.0" else {})
    else:
        expected.update(EVENT_CENTRIC)
    assert created(out) == expected
    assert f"From a bake-tracker backup (version {version}):" in out.stdout
    # The recipes' lines, the good's components, the package's contents.
    assert Recipe.objects.get(name="Sugar Cookies").ingredients.count() == 2
    good = FinishedGood.objects.get(name="Cookie Box")
    assert [c.finished_unit.name for c in good.components.order_by("sort_order")] == [
        "Sugar Cookie",
        "Gingerbread Man",
    ]
    assert Package.objects.get(name="Holiday Box").contents.get().quantity == 2


@pytest.mark.parametrize("version", list(SHAPES))
def test_importing_the_same_backup_twice_creates_nothing(db, tmp_path, version):
    path = write(tmp_path, backup(version))
    assert run_import(path).returncode == 0
    before = snapshot()
    again = run_import(path)
    assert again.returncode == 0
    rows = table(again.stdout)
    assert rows["total"][0] == 0 and rows["total"][1] == 0
    assert snapshot() == before


def test_ingredients_read_both_name_and_display_name(db, tmp_path):
    old, new = backup("3.2"), backup("3.4")
    assert "name" in old["ingredients"][0] and "display_name" in new["ingredients"][0]
    assert run_import(write(tmp_path, old, "old.json")).returncode == 0
    names = set(Ingredient.objects.values_list("name", flat=True))
    assert names == {"All-Purpose Flour", "Granulated Sugar", "Cellophane Bag"}
    out = run_import(write(tmp_path, new, "new.json"))
    assert out.returncode == 0
    assert table(out.stdout)["ingredients"] == (0, 0, 3, 0)


def test_hierarchy_leaves_are_ingredients_and_categories_their_category(db, tmp_path):
    out = run_import(write(tmp_path, backup("4.1")))
    assert out.returncode == 0
    assert not Ingredient.objects.filter(name__in=["Baking", "Dry Goods"]).exists()
    flour = Ingredient.objects.get(name="All-Purpose Flour")
    assert flour.category == "Baking / Dry Goods"
    assert "category nodes of the hierarchy" in out.stdout


def test_runs_get_their_recipes_only_unit_and_an_inferred_expected_yield(db, tmp_path):
    out = run_import(write(tmp_path, backup("3.2")))
    assert out.returncode == 0
    run = ProductionRun.objects.get(num_batches=2)
    assert run.finished_unit.name == "Sugar Cookie"
    assert run.expected_yield == 96 and run.actual_yield == 94
    assert run.event.name == "Christmas 2025"
    assert ProductionRun.objects.get(num_batches=3).event is None
    assert "production_runs: expected yield (items per batch × batches): 3" in out.stdout
    assert AssemblyRun.objects.get().quantity_assembled == 4
    assert EventProductionTarget.objects.get(recipe__name="Gingerbread").target_batches == 2
    assert EventAssemblyTarget.objects.get().target_quantity == 6


def test_timestamps_with_a_blind_z_and_a_double_suffix_are_utc(db, tmp_path):
    run_import(write(tmp_path, backup("4.1")))
    run = ProductionRun.objects.get(num_batches=2)
    assert run.produced_at.isoformat() == "2025-12-10T15:30:00.123456+00:00"
    naive = run_import(write(tmp_path, backup("3.2"), "naive.json"))
    assert table(naive.stdout)["production_runs"] == (0, 0, 3, 0)


def test_older_files_derive_fulfillment_status_from_status_and_say_so(db, tmp_path):
    out = run_import(write(tmp_path, backup("3.1")))
    assert out.returncode == 0
    statuses = dict(
        EventRecipientPackage.objects.values_list("recipient__name", "fulfillment_status")
    )
    assert statuses == {"Alice Johnson": "ready", "Bob Smith": "delivered"}
    assert "fulfillment_status from the older status" in out.stdout


def test_production_records_become_runs_saying_what_was_inferred(db, tmp_path):
    out = run_import(write(tmp_path, backup("3.0")))
    run = ProductionRun.objects.get()
    assert (run.num_batches, run.expected_yield, run.actual_yield) == (2, 96, 96)
    assert run.finished_unit.name == "Sugar Cookie"
    assert str(run.total_ingredient_cost) == "12.5000"
    assert "inferred: finished unit 'Sugar Cookie'" in run.notes
    assert "production_records: finished unit (the recipe's only one): 1" in out.stdout


def test_the_report_names_what_has_no_home(db, tmp_path):
    out = run_import(write(tmp_path, backup("3.5")))
    report = out.stdout.split("Not imported (no home here):")[1]
    for line in (
        "products: 1 record",
        "purchases: 1 record",
        "inventory_items: 1 record",
        "suppliers: 1 record",
        "ingredients.density_weight_value: 1 value",
        "ingredients.foodon_id: 1 value",
        "recipes.components (sub-recipes): 1 item",
        "compositions with a packaging component: 1 record",
        "finished_goods.assembly_type: 1 value",
    ):
        assert f"  {line}\n" in report
    unit = run_import(write(tmp_path, backup("3.2"), "u.json"))
    assert "  unit_conversions: 1 record\n" in unit.stdout


@pytest.mark.parametrize("version", ["5.0", "2", None, 3.2])
def test_a_version_it_does_not_read_is_refused_naming_those_it_reads(db, tmp_path, version):
    document = backup("4.1")
    document["version"] = version
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1
    assert "version: a bake-tracker backup of version" in out.stderr
    assert "reads versions 3.0 to 4.1" in out.stderr
    assert row_count() == 0


def test_a_version_string_is_not_trusted_the_shape_is(db, tmp_path):
    # A 3.4-marked file of the later shape (display_name, suppliers) and a 4.1-marked one of
    # the older (name, unit_conversions) both import.
    later = backup("3.5")
    later["version"] = "3.4"
    assert run_import(write(tmp_path, later, "a.json")).returncode == 0
    older = backup("3.2")
    older["version"] = "4.1"
    assert run_import(write(tmp_path, older, "b.json")).returncode == 0


def test_dry_run_writes_nothing_and_shows_the_report(db, tmp_path):
    out = run_import(write(tmp_path, backup("4.1")), "--dry-run")
    assert out.returncode == 0
    assert "Dry run: nothing was written." in out.stdout
    assert "Not imported (no home here):" in out.stdout
    assert row_count() == 0


def test_update_and_replace_modes(db, tmp_path):
    path = write(tmp_path, backup("3.2"))
    run_import(path)
    Event.objects.filter(name="New Year 2026").update(notes="changed here")
    out = run_import(path, "--mode", "update")
    assert out.returncode == 0
    assert Event.objects.get(name="New Year 2026").notes == "Brunch"
    Recipe.objects.create(name="Only Here", yield_quantity=1)
    out = run_import(path, "--mode", "replace", "--noinput")
    assert out.returncode == 0, out.stderr
    assert not Recipe.objects.filter(name="Only Here").exists()
    assert ProductionRun.objects.count() == 3


def test_our_own_format_is_still_read_as_ours(db, tmp_path):
    # The header keys before the first section decide: here "format" comes first.
    document = {"format": "bakery-exchange", **backup("3.2")}
    out = run_import(write(tmp_path, document))
    # With a "format" key it is not a backup: our importer refuses it as its own.
    assert out.returncode == 1
    assert "bake-tracker" not in out.stderr


def test_progress_of_an_imported_event(db, tmp_path):
    run_import(write(tmp_path, backup("4.1")))
    stdout = StringIO()
    call_command("event_progress", "Christmas 2025", "--format", "json", stdout=stdout)
    progress = json.loads(stdout.getvalue())
    production = {p["recipe_name"]: p for p in progress["production"]}
    # Sugar Cookies: 2 + 1 batches for the event against 4; Gingerbread's run is standalone.
    assert production["Sugar Cookies"]["produced_batches"] == 3
    assert production["Sugar Cookies"]["target_batches"] == 4
    assert production["Gingerbread"]["produced_batches"] == 0
    assert progress["assembly"][0]["assembled_quantity"] == 4
    assert progress["packages"]["ready"] == 1 and progress["packages"]["delivered"] == 1
