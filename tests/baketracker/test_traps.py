"""The backups' traps: each refused, located with the backup's own section and index, or
inferred and said; nothing is written when anything is refused."""

import pytest

from bakery.models import Event
from production.models import ProductionRun
from tests.baketracker.backups import backup, write
from tests.helpers import row_count, run_import


def refused(tmp_path, document) -> list[str]:
    """Import a backup that must be refused; return its problem lines."""
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1, out.stdout
    assert "nothing was written" in out.message
    assert row_count() == 0
    return out.lines


def second_unit(document):
    document["finished_units"].append(
        {
            "slug": "sugar_cookie_bar",
            "recipe_name": "Sugar Cookies",
            "display_name": "Sugar Cookie Bar",
            "yield_mode": "discrete_count",
            "items_per_batch": 12,
        }
    )


def test_a_run_whose_recipe_has_several_units_is_refused_naming_them(db, tmp_path):
    document = backup("3.2")
    second_unit(document)
    lines = refused(tmp_path, document)
    assert lines[0] == (
        "production_runs[0].finished_unit: the backup does not say which finished unit this "
        "run made, and recipe 'Sugar Cookies' has 2 finished units: 'Sugar Cookie', "
        "'Sugar Cookie Bar': give the run's finished unit in the backup or keep one"
    )
    assert lines[1].startswith("production_runs[1].finished_unit:")
    assert len(lines) == 2


def test_a_production_record_without_an_inferable_unit_is_named_not_imported(db, tmp_path):
    document = backup("3.0")
    second_unit(document)
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0
    assert not ProductionRun.objects.exists()
    assert (
        "  production_records[0]: recipe 'Sugar Cookies' has 2 finished units: "
        "'Sugar Cookie', 'Sugar Cookie Bar', so the finished unit of this production record "
        "cannot be inferred\n" in out.stdout
    )


@pytest.mark.parametrize("status", ["shipped", None, ""])
def test_an_unknown_fulfillment_status_is_refused_not_made_pending(db, tmp_path, status):
    document = backup("3.2")
    document["event_recipient_packages"][1]["fulfillment_status"] = status
    lines = refused(tmp_path, document)
    assert lines == [
        "event_recipient_packages[1].fulfillment_status: must be one of pending | ready | "
        f"delivered, got {'null' if status is None else repr(status)}"
    ]


def test_an_unknown_older_status_is_refused(db, tmp_path):
    document = backup("3.0")
    document["event_recipient_packages"][0]["status"] = "lost"
    assert refused(tmp_path, document) == [
        "event_recipient_packages[0].status: must be one of pending | assembled | delivered "
        "to give fulfillment_status, got 'lost'"
    ]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-40T10:00:00Z", "", 20251210])
def test_an_unparseable_timestamp_is_refused_never_now(db, tmp_path, value):
    document = backup("3.2")
    document["production_runs"][2]["produced_at"] = value
    lines = refused(tmp_path, document)
    assert len(lines) == 1
    assert lines[0].startswith("production_runs[2].produced_at: must be")


def test_a_naive_timestamp_without_z_is_refused(db, tmp_path):
    document = backup("3.2")
    document["assembly_runs"][0]["assembled_at"] = "2025-12-13T11:00:00"
    assert refused(tmp_path, document) == [
        "assembly_runs[0].assembled_at: must have a UTC offset (like 2025-12-15T10:00:00Z), "
        "got '2025-12-13T11:00:00'"
    ]


@pytest.mark.parametrize(
    ("section", "key", "value", "text"),
    [
        ("event_production_targets", "target_batches", None, "is required"),
        ("event_production_targets", "target_batches", 0, "must be greater than 0, got 0"),
        ("event_assembly_targets", "target_quantity", -2, "must be greater than 0, got -2"),
        ("event_assembly_targets", "target_quantity", None, "is required"),
    ],
)
def test_a_target_without_a_positive_quantity_is_refused(db, tmp_path, section, key, value, text):
    document = backup("3.2")
    if value is None:
        del document[section][0][key]
    else:
        document[section][0][key] = value
    assert refused(tmp_path, document) == [f"{section}[0].{key}: {text}"]


def test_a_target_missing_its_quantity_is_refused_even_when_it_exists(db, tmp_path):
    path = write(tmp_path, backup("3.2"), "first.json")
    assert run_import(path).returncode == 0
    document = backup("3.2")
    del document["event_production_targets"][1]["target_batches"]
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1
    assert out.lines == ["event_production_targets[1].target_batches: is required"]


def test_two_different_records_with_one_name_are_refused_naming_both(db, tmp_path):
    document = backup("3.2")
    document["events"].append({"name": "Christmas 2025", "event_date": "2024-12-25", "year": 2024})
    assert refused(tmp_path, document) == [
        "events[2].name: event 'Christmas 2025' is also the name of events[0], and names are "
        "unique here: rename one of them in the backup (they differ)"
    ]


def test_two_identical_records_are_imported_once_and_said(db, tmp_path):
    document = backup("3.2")
    document["events"].append(dict(document["events"][0]))
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0
    assert Event.objects.count() == 2
    assert "  events[2]: identical to events[0], imported once\n" in out.stdout


def test_finished_units_with_one_display_name_are_refused_at_display_name(db, tmp_path):
    document = backup("3.2")
    document["finished_units"][1]["display_name"] = "Sugar Cookie"
    lines = refused(tmp_path, document)
    assert lines[0].startswith("finished_units[1].display_name: finished unit 'Sugar Cookie'")


def test_identical_runs_are_both_imported(db, tmp_path):
    document = backup("3.2")
    document["production_runs"].append(dict(document["production_runs"][0]))
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0
    assert ProductionRun.objects.count() == 4
    again = run_import(write(tmp_path, document))
    assert again.returncode == 0 and ProductionRun.objects.count() == 4


def test_the_importers_problems_are_located_in_the_backup(db, tmp_path):
    document = backup("3.4")
    document["recipes"][1]["ingredients"][0]["quantity"] = -1
    document["finished_units"][1]["display_name"] = "x" * 201
    document["event_production_targets"][1]["recipe_name"] = "Gingerbreed"
    document["compositions"][1]["component_quantity"] = 1.5
    document["events"][1]["event_date"] = "2026-02-30"
    lines = refused(tmp_path, document)
    assert [line.split(":")[0] for line in lines] == [
        "recipes[1].ingredients[0].quantity",
        "finished_units[1].display_name",
        "compositions[1].component_quantity",
        "events[1].event_date",
        "event_production_targets[1].recipe_name",
    ]
    assert lines[-1].endswith("did you mean 'Gingerbread'?")


def test_unknown_slugs_are_refused_located(db, tmp_path):
    document = backup("3.2")
    document["recipes"][0]["ingredients"][1]["ingredient_slug"] = "brown_sugar"
    document["event_assembly_targets"][0]["finished_good_slug"] = "cookie_tin"
    assert refused(tmp_path, document) == [
        "recipes[0].ingredients[1].ingredient_slug: no ingredient with the slug 'brown_sugar' "
        "in the backup",
        "event_assembly_targets[0].finished_good_slug: no finished good with the slug "
        "'cookie_tin' in the backup",
    ]


def test_slug_references_of_hand_made_files_resolve_through_the_backup(db, tmp_path):
    document = backup("3.2")
    for erp in document["event_recipient_packages"]:
        erp["event_slug"] = erp.pop("event_name").lower().replace(" ", "_")
        erp["package_slug"] = erp.pop("package_name").lower().replace(" ", "_")
    unit = document["finished_units"][0]
    unit["recipe_slug"] = unit.pop("recipe_name").lower().replace(" ", "_")
    assert run_import(write(tmp_path, document)).returncode == 0


def test_a_recipe_referring_to_a_category_node_is_refused(db, tmp_path):
    document = backup("4.1")
    document["recipes"][0]["ingredients"][0]["ingredient_slug"] = "dry_goods"
    assert refused(tmp_path, document) == [
        "recipes[0].ingredients[0].ingredient_slug: 'Dry Goods' is a category of the "
        "ingredient hierarchy, not an ingredient"
    ]


def test_not_json_and_the_error_limit(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": "3.2", "application": "bake-tracker", "events": [}')
    out = run_import(str(path))
    assert out.returncode == 1
    assert out.lines[0].startswith("invalid JSON at line 1")
    document = backup("3.2")
    for target in document["event_production_targets"]:
        target["target_batches"] = 0
    document["event_assembly_targets"][0]["target_quantity"] = 0
    out = run_import(write(tmp_path, document), "--error-limit", "2")
    assert out.lines[-1] == "and 1 more"
    assert "3 problems" in out.message


@pytest.mark.parametrize(
    ("tail", "line"),
    [
        ("[" * 100_000 + "]" * 100_000, "cannot read {path}: not a backup (nesting too deep)"),
        ('[{"name": "x", "n": ' + "9" * 5000 + "}]", None),
    ],
    ids=["nesting", "digits"],
)
def test_a_hostile_backup_is_refused_without_a_traceback(db, tmp_path, tail, line):
    head = (
        '{"version": "3.5", "exported_at": "2025-12-27T00:00:00Z", '
        '"application": "bake-tracker", "recipes": [{"name": "x"}], "events": '
    )
    path = tmp_path / "hostile.json"
    path.write_text(head + tail + "}", encoding="utf-8")

    out = run_import(str(path))

    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    if line:
        assert out.lines[0] == line.format(path=path)
    assert row_count() == 0
