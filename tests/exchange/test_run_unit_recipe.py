"""A production run's recipe is the recipe its finished unit will have after the import: the
database's in merge mode (which leaves an existing unit as it is), the file's in update and
replace mode. No database constraint backs this rule, only ProductionRun.clean()."""

import uuid

import pytest

from production.models import ProductionRun
from tests.helpers import NAMES, minimal_document, minimal_record, run_import, write_document

UNIT = NAMES["finished_units"]
DATABASE_RECIPE = NAMES["recipes"]
OTHER_RECIPE = "Oatmeal Cookies"
# The message of a run whose recipe is not its unit's, by the recipe the unit has.
MISMATCH = (
    "production_runs[0].finished_unit_name: {unit!r} is made from {actual!r}, not from {run!r}"
)

pytestmark = pytest.mark.django_db


def with_other_recipe(document: dict) -> dict:
    other = minimal_record("recipes") | {"name": OTHER_RECIPE}
    return document | {"recipes": [*document["recipes"], other]}


@pytest.fixture
def database(tmp_path):
    """The unit made from the first recipe, a second recipe, and no runs."""
    document = with_other_recipe(minimal_document())
    document["production_runs"] = []
    outcome = run_import(write_document(tmp_path, document, "database.json"))
    assert outcome.returncode == 0, outcome.stderr


def file_of(unit_recipe: str, run_recipe: str, whole: bool = False) -> dict:
    """A file giving the unit a recipe and holding a run of it with a recipe."""
    unit = minimal_record("finished_units") | {"recipe_name": unit_recipe}
    run = minimal_record("production_runs") | {
        "recipe_name": run_recipe,
        "uuid": str(uuid.uuid4()),
    }
    document = (
        with_other_recipe(minimal_document())
        if whole
        else {
            key: value for key, value in minimal_document().items() if not isinstance(value, list)
        }
    )
    return document | {"finished_units": [unit], "production_runs": [run]}


def imports(tmp_path, document, mode) -> list[str]:
    outcome = run_import(
        write_document(tmp_path, document, f"{mode}.json"), "--mode", mode, "--noinput"
    )
    return [line for line in outcome.lines if not line.startswith("warning: ")]


@pytest.mark.parametrize(
    ("mode", "unit_recipe", "run_recipe", "refused_with"),
    [
        # Merge leaves the unit as the database has it, whatever the file says.
        ("merge", OTHER_RECIPE, OTHER_RECIPE, DATABASE_RECIPE),
        ("merge", OTHER_RECIPE, DATABASE_RECIPE, None),
        # Update and replace give the unit the file's recipe.
        ("update", OTHER_RECIPE, DATABASE_RECIPE, OTHER_RECIPE),
        ("update", OTHER_RECIPE, OTHER_RECIPE, None),
        ("replace", OTHER_RECIPE, DATABASE_RECIPE, OTHER_RECIPE),
        ("replace", OTHER_RECIPE, OTHER_RECIPE, None),
    ],
)
def test_a_run_s_recipe_is_checked_against_the_recipe_its_unit_will_have(
    database, tmp_path, mode, unit_recipe, run_recipe, refused_with
):
    document = file_of(unit_recipe, run_recipe, whole=mode == "replace")
    runs_before = ProductionRun.objects.count()

    problems = imports(tmp_path, document, mode)

    if refused_with:
        assert problems == [MISMATCH.format(unit=UNIT, actual=refused_with, run=run_recipe)]
        assert ProductionRun.objects.count() == runs_before
    else:
        assert problems == []
        run = ProductionRun.objects.get(uuid=document["production_runs"][0]["uuid"])
        assert run.recipe.name == run.finished_unit.recipe.name == run_recipe
        run.full_clean()
