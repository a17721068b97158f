"""A record is a patch: a key it leaves out leaves that field, or nested list, as it is.

Files people edit by hand or trim: a recipe holding only its name, category and yield must not
wipe its ingredients, its source or its time (update), nor count as differing (merge).
"""

import json

import pytest

from bakery.models import Composition, FinishedGood, Recipe, RecipeIngredient
from production.models import ProductionRun
from tests.factories import RecipeFactory
from tests.helpers import export_document, run_import, snapshot, table

pytestmark = pytest.mark.django_db

HEADER = {"format": "bakery-exchange", "version": 1, "exported_at": "2026-11-29T10:00:00Z"}


def patch_file(tmp_path, **sections) -> str:
    path = tmp_path / "patch.json"
    path.write_text(json.dumps({**HEADER, "scope": None, **sections}), encoding="utf-8")
    return str(path)


def ingredients_of(recipe) -> list:
    return list(
        RecipeIngredient.objects.filter(recipe=recipe)
        .order_by("ingredient__name")
        .values_list("ingredient__name", "quantity", "unit")
    )


@pytest.fixture
def cookies(bakery):
    """A recipe of the bakery with its ingredients, source and time set."""
    recipe = bakery.recipes[0]
    Recipe.objects.filter(pk=recipe.pk).update(source="Grandma", estimated_time_minutes=45)
    recipe.refresh_from_db()
    assert recipe.ingredients.count() == 2
    return recipe


def test_a_trimmed_recipe_in_update_mode_keeps_its_ingredients_source_and_time(cookies, tmp_path):
    before = ingredients_of(cookies)
    trimmed = {"name": cookies.name, "category": "Biscuits", "yield_quantity": "36"}

    outcome = run_import(patch_file(tmp_path, recipes=[trimmed]), "--mode", "update")

    assert outcome.returncode == 0, outcome.stderr
    assert table(outcome.stdout)["recipes"] == (0, 1, 0, 0)
    cookies.refresh_from_db()
    assert (cookies.category, cookies.yield_quantity) == ("Biscuits", 36)
    assert (cookies.source, cookies.estimated_time_minutes) == ("Grandma", 45)
    assert ingredients_of(cookies) == before


def test_a_record_giving_only_its_key_changes_nothing(cookies, tmp_path):
    before = snapshot()

    for mode in ("merge", "update"):
        outcome = run_import(
            patch_file(tmp_path, recipes=[{"name": cookies.name}]), "--mode", mode, "--noinput"
        )

        assert outcome.returncode == 0, outcome.stderr
        assert table(outcome.stdout)["recipes"] == (0, 0, 1, 0)
        assert outcome.stderr == ""
    assert snapshot() == before


def test_a_finished_good_without_components_keeps_them(bakery, tmp_path):
    good = FinishedGood.objects.filter(components__isnull=False).distinct().first()
    components = list(Composition.objects.filter(assembly=good).values_list("pk", "quantity"))
    assert components

    outcome = run_import(
        patch_file(tmp_path, finished_goods=[{"name": good.name, "description": "Red tin"}]),
        "--mode",
        "update",
    )

    assert outcome.returncode == 0, outcome.stderr
    good.refresh_from_db()
    assert good.description == "Red tin"
    assert list(Composition.objects.filter(assembly=good).values_list("pk", "quantity")) == (
        components
    )


def test_a_nested_list_that_is_given_replaces_the_old_one_and_null_clears_it(cookies, tmp_path):
    flour = cookies.ingredients.order_by("ingredient__name").first().ingredient
    given = [{"ingredient_name": flour.name, "quantity": "9", "unit": "cup"}]

    replaced = run_import(
        patch_file(tmp_path, recipes=[{"name": cookies.name, "ingredients": given}]),
        "--mode",
        "update",
    )
    assert replaced.returncode == 0, replaced.stderr
    assert ingredients_of(cookies) == [(flour.name, 9, "cup")]

    cleared = run_import(
        patch_file(tmp_path, recipes=[{"name": cookies.name, "ingredients": None}]),
        "--mode",
        "update",
    )
    assert cleared.returncode == 0, cleared.stderr
    assert ingredients_of(cookies) == []


def test_null_clears_a_field_that_may_be_empty_and_is_refused_for_one_that_may_not(
    cookies, tmp_path
):
    cleared = run_import(
        patch_file(tmp_path, recipes=[{"name": cookies.name, "source": None}]), "--mode", "update"
    )
    assert cleared.returncode == 0, cleared.stderr
    cookies.refresh_from_db()
    assert (cookies.source, cookies.estimated_time_minutes) == ("", 45)
    before = snapshot()

    refused = run_import(
        patch_file(tmp_path, recipes=[{"name": cookies.name, "yield_quantity": None}]),
        "--mode",
        "update",
    )

    assert refused.returncode == 1
    assert refused.lines == ["recipes[0].yield_quantity: is required"]
    assert snapshot() == before


def test_merge_never_counts_an_absent_key_as_a_difference(cookies, tmp_path):
    before = snapshot()
    same = {"name": cookies.name, "category": cookies.category}
    differs = {"name": cookies.name, "category": "Something else"}

    quiet = run_import(patch_file(tmp_path, recipes=[same]))
    warned = run_import(patch_file(tmp_path, recipes=[differs]))

    assert (quiet.returncode, quiet.stderr) == (0, "")
    assert table(quiet.stdout)["recipes"] == (0, 0, 1, 0)
    assert warned.returncode == 0
    assert table(warned.stdout)["recipes"] == (0, 0, 0, 1)
    assert warned.stderr.splitlines() == [
        f"warning: recipes[0]: {cookies.name!r} already exists with a different category; "
        "left as it is (merge)"
    ]
    assert snapshot() == before


def test_a_new_record_needs_every_required_field_located(bakery, tmp_path):
    before = snapshot()
    new = {"name": "Almond Biscotti", "category": "Biscuits"}

    outcome = run_import(patch_file(tmp_path, recipes=[new]), "--mode", "update")

    assert outcome.returncode == 1
    assert outcome.lines == [
        "recipes[0].yield_quantity: is required to create recipe 'Almond Biscotti', which is "
        "not in the database",
    ]
    assert snapshot() == before


def test_the_dry_run_shows_exactly_the_patch(cookies, tmp_path):
    before = snapshot()
    trimmed = {"name": cookies.name, "category": "Biscuits"}

    outcome = run_import(
        patch_file(tmp_path, recipes=[trimmed]), "--mode", "update", "--dry-run", "-v", "2"
    )

    assert outcome.returncode == 0, outcome.stderr
    assert table(outcome.stdout)["recipes"] == (0, 1, 0, 0)
    assert snapshot() == before


def test_a_run_patched_without_its_recipe_keeps_it(bakery, tmp_path):
    run = ProductionRun.objects.first()

    outcome = run_import(
        patch_file(tmp_path, production_runs=[{"uuid": str(run.uuid), "actual_yield": 7}]),
        "--mode",
        "update",
    )

    assert outcome.returncode == 0, outcome.stderr
    saved = ProductionRun.objects.get(pk=run.pk)
    assert (saved.actual_yield, saved.recipe_id, saved.finished_unit_id) == (
        7,
        run.recipe_id,
        run.finished_unit_id,
    )


def test_a_full_document_round_trips_in_update_mode_unchanged(bakery, tmp_path):
    path = tmp_path / "all.json"
    path.write_text(json.dumps(export_document()), encoding="utf-8")
    RecipeFactory(name="Not in the file")
    before = snapshot()

    outcome = run_import(str(path), "--mode", "update")

    assert outcome.returncode == 0, outcome.stderr
    assert snapshot() == before


def test_the_dry_run_at_verbosity_2_lists_the_patch_field_by_field(cookies, tmp_path):
    trimmed = {"name": cookies.name, "category": "Biscuits", "yield_quantity": "36"}

    outcome = run_import(
        patch_file(tmp_path, recipes=[trimmed]), "--mode", "update", "--dry-run", "-v", "2"
    )

    assert outcome.returncode == 0, outcome.stderr
    lines = outcome.stdout.splitlines()
    start = lines.index("Existing records that would change:")
    assert lines[start : start + 4] == [
        "Existing records that would change:",
        f"  recipes[0] {cookies.name}",
        f"      category: {cookies.category!r} → 'Biscuits'",
        f"      yield_quantity: '{cookies.yield_quantity:.4f}' → '36.0000'",
    ]
