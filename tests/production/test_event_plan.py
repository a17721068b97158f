"""The event plan: what is left to bake, assemble, buy and pack, and `manage.py event_plan`."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bakery.numbers import decimal_text
from production.services import event_plan
from tests.factories import (
    PLAN_CASE_SHOPPING_CSV,
    AssemblyRunFactory,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    EventRecipientPackageFactory,
    FinishedGoodFactory,
    FinishedUnitFactory,
    IngredientFactory,
    ProductionRunFactory,
    RecipeFactory,
    plan_case,
)


def run(*args):
    """Run event_plan and return what it wrote to stdout."""
    stdout = StringIO()
    call_command("event_plan", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


@pytest.fixture
def christmas(db):
    """Christmas 2025 of tests.factories.plan_case, its numbers worked out in each test."""
    return plan_case()


def test_production_remaining_counts_only_this_events_runs_and_never_goes_below_zero(
    christmas,
):
    assert event_plan(christmas).as_dict()["production"] == [
        {
            "recipe_name": "Bread",
            "target_batches": 2,
            "produced_batches": 0,
            "remaining_batches": 2,
        },
        {"recipe_name": "Cake", "target_batches": 2, "produced_batches": 3, "remaining_batches": 0},
        {
            "recipe_name": "Cookies",
            "target_batches": 4,
            "produced_batches": 1,
            "remaining_batches": 3,
        },
    ]


def test_assembly_remaining_counts_only_this_events_runs_and_never_goes_below_zero(christmas):
    assert event_plan(christmas).as_dict()["assembly"] == [
        {
            "finished_good_name": "Box",
            "target_quantity": 5,
            "assembled_quantity": 7,
            "remaining_quantity": 0,
        },
        {
            "finished_good_name": "Tin",
            "target_quantity": 3,
            "assembled_quantity": 1,
            "remaining_quantity": 2,
        },
    ]


def test_units_needed_expand_nested_goods_and_count_batch_portions_as_units(christmas):
    # 2 tins left, each 2 boxes of 12 cookies and 1 cake slice; the 5 boxes are over target.
    # A slice is a batch portion (a quarter of a cake) but what is consumed is slices.
    assert event_plan(christmas).as_dict()["units_needed"] == [
        {"finished_unit_name": "Cake slice", "quantity": 2},
        {"finished_unit_name": "Cookie", "quantity": 48},
    ]


def test_units_needed_add_up_a_unit_reached_through_several_goods(db):
    event = EventFactory()
    cookie = FinishedUnitFactory(name="Cookie")
    box = FinishedGoodFactory(name="Box", components=[(cookie, 12)])
    tower = FinishedGoodFactory(name="Tower", components=[(box, 3), (cookie, 5)])
    EventAssemblyTargetFactory(event=event, finished_good=tower, target_quantity=2)
    EventAssemblyTargetFactory(event=event, finished_good=box, target_quantity=1)

    # 2 towers × (3 × 12 + 5) + 1 box × 12
    assert event_plan(event).as_dict()["units_needed"] == [
        {"finished_unit_name": "Cookie", "quantity": 94}
    ]


def test_shopping_list_multiplies_remaining_batches_one_line_per_ingredient_and_unit(
    christmas,
):
    # Cookies 3 batches left: sugar 3 × 1, flour 3 × 2.25, butter 3 × 0.5 cups;
    # Bread 2 left: yeast 2 × 0.25 tsp, flour 2 × 100 g; Cake is over target: no butter for it.
    assert event_plan(christmas).as_dict()["shopping_list"] == [
        {"ingredient_name": "Butter", "unit": "cup", "quantity": "1.5"},
        {"ingredient_name": "Flour", "unit": "cup", "quantity": "6.75"},
        {"ingredient_name": "Flour", "unit": "g", "quantity": "200"},
        {"ingredient_name": "Sugar", "unit": "cup", "quantity": "3"},
        {"ingredient_name": "Yeast", "unit": "tsp", "quantity": "0.5"},
    ]


def test_shopping_list_sums_an_ingredient_used_by_several_recipes(db):
    event = EventFactory()
    flour = IngredientFactory(name="Flour")
    for quantity, batches in [(Decimal("2.25"), 3), (Decimal("1.5"), 2)]:
        recipe = RecipeFactory(ingredients=[(flour, quantity)])
        EventProductionTargetFactory(event=event, recipe=recipe, target_batches=batches)

    assert event_plan(event).as_dict()["shopping_list"] == [
        {"ingredient_name": "Flour", "unit": "cup", "quantity": "9.75"}
    ]


def test_packing_lists_every_assignment_not_yet_delivered(christmas):
    assert event_plan(christmas).as_dict()["packing"] == [
        {
            "recipient_name": "Bob",
            "package_name": "Gift",
            "quantity": 1,
            "fulfillment_status": "pending",
        },
        {
            "recipient_name": "Carol",
            "package_name": "Gift",
            "quantity": 2,
            "fulfillment_status": "ready",
        },
    ]


def test_event_without_targets_has_empty_lists(db):
    EventFactory(name="Easter 2026")

    assert json.loads(run("Easter 2026", "--format", "json")) == {
        "event": "Easter 2026",
        "production": [],
        "assembly": [],
        "units_needed": [],
        "shopping_list": [],
        "packing": [],
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("3.0000"), "3"),
        (Decimal("2.2500"), "2.25"),
        (Decimal("100.0000"), "100"),
        (Decimal("0.0001"), "0.0001"),
        (Decimal("0.0000"), "0"),
        (Decimal("1E+2"), "100"),
        (Decimal("99999999.9999"), "99999999.9999"),
    ],
)
def test_decimal_text_drops_trailing_zeros_and_never_uses_an_exponent(value, text):
    assert decimal_text(value) == text


def test_json_is_one_object_with_every_section(christmas):
    data = json.loads(run("Christmas 2025", "--format", "json"))

    assert data == event_plan(christmas).as_dict()
    assert list(data) == [
        "event",
        "production",
        "assembly",
        "units_needed",
        "shopping_list",
        "packing",
    ]
    assert data["event"] == "Christmas 2025"


def test_csv_writes_the_shopping_list(christmas):
    assert run("Christmas 2025", "--format", "csv") == PLAN_CASE_SHOPPING_CSV


def test_csv_of_an_event_without_targets_is_the_header_alone(db):
    EventFactory(name="Easter 2026")

    assert run("Easter 2026", "--format", "csv") == "ingredient,unit,quantity\n"


CHRISTMAS_TABLE = """\
Christmas 2025 (2025-12-24): what is left to do
===============================================

To bake
  Recipe   Target  Produced  Remaining
  Bread         2         0          2
  Cake          2         3          0
  Cookies       4         1          3

To assemble
  Finished good  Target  Assembled  Remaining
  Box                 5          7          0
  Tin                 3          1          2

Finished units needed
  Finished unit  Quantity
  Cake slice            2
  Cookie               48

Shopping list
  Ingredient  Unit  Quantity
  Butter      cup        1.5
  Flour       cup       6.75
  Flour       g          200
  Sugar       cup          3
  Yeast       tsp        0.5

To pack
  Recipient  Package  Quantity  Status
  Bob        Gift            1  Pending
  Carol      Gift            2  Ready
"""


def test_table_prints_each_section_with_aligned_columns(christmas):
    assert run("Christmas 2025") == CHRISTMAS_TABLE
    assert run("Christmas 2025", "--format", "table") == CHRISTMAS_TABLE


def test_table_of_an_event_without_targets_says_so_in_each_section(db):
    EventFactory(name="Easter 2026", event_date=datetime.date(2026, 4, 5))

    assert run("Easter 2026") == (
        "Easter 2026 (2026-04-05): what is left to do\n"
        "============================================\n"
        "\n"
        "To bake\n"
        "  No production targets.\n"
        "\n"
        "To assemble\n"
        "  No assembly targets.\n"
        "\n"
        "Finished units needed\n"
        "  None.\n"
        "\n"
        "Shopping list\n"
        "  Nothing to buy.\n"
        "\n"
        "To pack\n"
        "  Nothing left to pack.\n"
    )


def test_event_name_is_looked_up_as_stored(christmas):
    assert run("  Christmas 2025 ", "--format", "csv").startswith("ingredient,unit,quantity\n")


def test_unknown_event_is_refused_with_a_suggestion(christmas):
    with pytest.raises(CommandError) as excinfo:
        run("christmas 2025")

    assert str(excinfo.value) == "No event named 'christmas 2025'; did you mean 'Christmas 2025'?"
    assert excinfo.value.returncode == 1


def test_unknown_event_with_nothing_close_is_refused_without_a_suggestion(christmas):
    with pytest.raises(CommandError) as excinfo:
        run("Nope")

    assert str(excinfo.value) == "No event named 'Nope'."
    assert excinfo.value.returncode == 1


def test_unknown_format_is_a_usage_error(christmas):
    with pytest.raises(CommandError) as excinfo:
        run("Christmas 2025", "--format", "xml")

    assert excinfo.value.returncode == 2


def planned_event(size: int):
    """An event with `size` of everything: targets with runs, ingredients, nested goods,
    and assignments; each target has work left."""
    event = EventFactory()
    for _ in range(size):
        recipe = RecipeFactory(
            ingredients=[(IngredientFactory(), Decimal("1.5")), (IngredientFactory(), 2)]
        )
        unit = FinishedUnitFactory(recipe=recipe)
        EventProductionTargetFactory(event=event, recipe=recipe, target_batches=5)
        ProductionRunFactory(event=event, finished_unit=unit, num_batches=1)
        ProductionRunFactory(event=event, finished_unit=unit, num_batches=1)
        inner = FinishedGoodFactory(components=[(unit, 12)])
        outer = FinishedGoodFactory(components=[(inner, 2), (unit, 1)])
        for good in (inner, outer):
            EventAssemblyTargetFactory(event=event, finished_good=good, target_quantity=9)
            AssemblyRunFactory(event=event, finished_good=good, quantity_assembled=1)
        EventRecipientPackageFactory(event=event)
    return event


def queries_for_plan(event) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        data = event_plan(event).as_dict()
    return len(queries), data


def test_queries_do_not_grow_with_targets_runs_or_compositions(db):
    small_count, small = queries_for_plan(planned_event(1))
    large_count, large = queries_for_plan(planned_event(6))

    assert (len(small["production"]), len(large["production"])) == (1, 6)
    assert (len(small["units_needed"]), len(large["units_needed"])) == (1, 6)
    assert (len(small["shopping_list"]), len(large["shopping_list"])) == (2, 12)
    assert small_count == large_count
    assert large_count <= 8


def test_without_an_event_name_the_next_event_from_today_is_planned(db):
    today = timezone.localdate()
    EventFactory(name="Yesterday", event_date=today - datetime.timedelta(days=1))
    EventFactory(name="Later", event_date=today + datetime.timedelta(days=9))
    EventFactory(name="Today", event_date=today)

    assert json.loads(run("--format", "json"))["event"] == "Today"


def test_without_an_event_name_and_no_event_to_come_it_says_so(db):
    EventFactory(name="Yesterday", event_date=timezone.localdate() - datetime.timedelta(days=1))

    with pytest.raises(CommandError) as excinfo:
        run()

    assert str(excinfo.value) == (
        "No event is coming (none dated today or later); name the event to plan."
    )
    assert excinfo.value.returncode == 1
