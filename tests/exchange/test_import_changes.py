"""What an import reports it changes in existing records, for the admin's preview."""

import json

import pytest

from exchange.importer import import_document
from exchange.streams import Source
from tests.helpers import export_document, snapshot


@pytest.fixture
def edited(bakery, tmp_path):
    """The bakery's own export with a recipe's notes, list and a run's event changed."""
    document = export_document()
    recipe = document["recipes"][0]
    recipe["notes"] = "Less sugar"
    recipe["ingredients"] = recipe["ingredients"][:1]
    run = next(r for r in document["production_runs"] if r["event_name"] is None)
    run["event_name"] = bakery.events[1].name
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(document))
    return path, recipe, run, bakery


def test_update_reports_each_changed_field_with_old_and_new_values(edited):
    path, recipe, run, bakery = edited
    result = import_document(Source(str(path)), mode="update", dry_run=True)
    by_record = {c.record: c for c in result.changes}
    assert result.changes_total == 2
    changed_recipe = by_record[recipe["name"]]
    assert changed_recipe.location == "recipes[0]"
    assert changed_recipe.applied
    notes, ingredients = changed_recipe.fields
    assert notes == ("notes", "null", "'Less sugar'")
    # The nested list is one field holding both lists, as compare_bakery shows it.
    assert ingredients[0] == "ingredients"
    assert len(json.loads(ingredients[1])) == 2
    assert json.loads(ingredients[2]) == recipe["ingredients"]
    assert by_record[run["uuid"]].fields == (("event_name", "null", repr(bakery.events[1].name)),)


def test_merge_reports_the_differences_it_leaves_unapplied(edited):
    path, recipe, _, _ = edited
    before = snapshot(ids=False)
    result = import_document(Source(str(path)), mode="merge")
    assert {c.applied for c in result.changes} == {False}
    assert result.sections["recipes"].skipped == 1
    assert snapshot(ids=False) == before
