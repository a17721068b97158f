"""Recipes without a yield (4.1 since F056) and the app's floats with more than 4 places."""

from decimal import Decimal

from bakery.models import Recipe, RecipeIngredient
from tests.baketracker.backups import backup, write
from tests.helpers import row_count, run_import


def without_yield(document):
    for recipe in document["recipes"]:
        for key in ("yield_quantity", "yield_unit", "yield_description"):
            recipe.pop(key, None)
    return document


def test_a_recipe_without_a_yield_gets_its_only_units_yield_and_says_so(db, tmp_path):
    out = run_import(write(tmp_path, without_yield(backup("4.1"))))
    assert out.returncode == 0, out.stdout
    recipe = Recipe.objects.get(name="Sugar Cookies")
    assert (recipe.yield_quantity, recipe.yield_unit) == (Decimal(48), "cookie")
    assert Recipe.objects.get(name="Gingerbread").yield_quantity == 24
    assert (
        "  recipes: yield_quantity from the recipe's only finished unit (items per batch): 2\n"
        in out.stdout
    )
    assert "  recipes: yield_unit from that finished unit (its item unit, else its name): 2\n" in (
        out.stdout
    )


def test_the_yield_unit_falls_back_to_the_units_name(db, tmp_path):
    document = without_yield(backup("3.2"))
    del document["finished_units"][0]["item_unit"]
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0, out.stdout
    assert Recipe.objects.get(name="Sugar Cookies").yield_unit == "Sugar Cookie"


def test_a_recipe_whose_yield_nothing_determines_is_refused_located(db, tmp_path):
    document = without_yield(backup("3.2"))
    document["finished_units"].append(
        {
            "slug": "sugar_cookie_bar",
            "recipe_name": "Sugar Cookies",
            "display_name": "Sugar Cookie Bar",
            "yield_mode": "discrete_count",
            "items_per_batch": 12,
        }
    )
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1
    assert row_count() == 0
    assert out.lines[0] == (
        "recipes[0].yield_quantity: the backup gives no yield for this recipe and it cannot be "
        "inferred: the recipe has 2 finished units: 'Sugar Cookie', 'Sugar Cookie Bar'; add "
        "yield_quantity and yield_unit to the recipe in the backup, or give it one finished "
        "unit counted per batch (items_per_batch)"
    )
    assert not any(line.startswith("recipes[1]") for line in out.lines)


def test_a_recipe_with_a_batch_portion_unit_and_no_yield_is_refused(db, tmp_path):
    document = without_yield(backup("3.2"))
    unit = document["finished_units"][1]
    unit.update(yield_mode="batch_portion", batch_percentage=50.0)
    del unit["items_per_batch"], unit["item_unit"]
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1
    assert [line.split(":")[0] for line in out.lines] == ["recipes[1].yield_quantity"]
    assert "one finished unit, 'Gingerbread Man', not counted per batch" in out.lines[0]


def test_quantities_with_more_places_are_rounded_half_even_and_reported(db, tmp_path):
    document = backup("3.2")
    document["recipes"][0]["ingredients"][0]["quantity"] = 0.3333333
    document["recipes"][0]["ingredients"][1]["quantity"] = 0.66665
    document["recipes"][0]["yield_quantity"] = 47.99999
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0, out.stdout
    quantities = RecipeIngredient.objects.filter(recipe__name="Sugar Cookies").order_by("id")
    assert [line.quantity for line in quantities] == [Decimal("0.3333"), Decimal("0.6666")]
    assert Recipe.objects.get(name="Sugar Cookies").yield_quantity == Decimal(48)
    assert (
        "  recipes.ingredients.quantity: rounded half-even to 4 decimal places (more in the "
        "backup): 2\n" in out.stdout
    )
    assert (
        "  recipes.yield_quantity: rounded half-even to 4 decimal places (more in the backup): 1\n"
        in out.stdout
    )


def test_a_quantity_that_rounds_to_zero_is_refused_located(db, tmp_path):
    document = backup("3.2")
    document["recipes"][1]["ingredients"][0]["quantity"] = 0.00004
    out = run_import(write(tmp_path, document))
    assert out.returncode == 1
    assert row_count() == 0
    assert out.lines == [
        "recipes[1].ingredients[0].quantity: 0.00004 rounds to 0 at 4 decimal places (this "
        "bakery's precision), and must be greater than 0"
    ]
