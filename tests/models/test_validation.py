"""The rules full_clean() enforces before a row reaches the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bakery.models import (
    Composition,
    Event,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    Package,
    Recipe,
    Recipient,
)
from production.models import ProductionRun
from tests.factories import (
    CompositionFactory,
    EventFactory,
    FinishedGoodFactory,
    FinishedUnitFactory,
    IngredientFactory,
    PackageFactory,
    ProductionRunFactory,
    RecipeFactory,
    RecipientFactory,
)

pytestmark = pytest.mark.django_db

NAMED = [
    pytest.param(IngredientFactory, "Ingredient", id="Ingredient"),
    pytest.param(RecipeFactory, "Recipe", id="Recipe"),
    pytest.param(FinishedUnitFactory, "Finished unit", id="FinishedUnit"),
    pytest.param(FinishedGoodFactory, "Finished good", id="FinishedGood"),
    pytest.param(PackageFactory, "Package", id="Package"),
    pytest.param(RecipientFactory, "Recipient", id="Recipient"),
    pytest.param(EventFactory, "Event", id="Event"),
]


def errors_of(instance):
    """Run full_clean() on the instance and return its errors by field."""
    with pytest.raises(ValidationError) as invalid:
        instance.full_clean()
    return invalid.value.message_dict


def test_named_cases_cover_every_named_model():
    covered = {param.values[0]._meta.model for param in NAMED}

    assert covered == {Ingredient, Recipe, FinishedUnit, FinishedGood, Package, Recipient, Event}


@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_full_clean_strips_surrounding_spaces_from_name(factory, _label):
    row = factory()
    row.name = "   Crème  brûlée "

    row.full_clean()
    row.save()

    row.refresh_from_db()
    assert row.name == "Crème  brûlée"


CONTROL = "A name must not contain a control character (a tab, a line break, ESC, ...)."
EDGES = (
    "A name must not begin or end with a blank or invisible character "
    "(a no-break space, a zero-width space, ...)."
)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\tCrème brûlée", CONTROL),
        ("Crème brûlée\n", CONTROL),
        ("Cookies\x1b[2J", CONTROL),
        ("Ring\x07 the bell", CONTROL),
        ("Christmas\x9b2J", CONTROL),
        ("Fl\x7four", CONTROL),
        ("  \t ", CONTROL),
        ("Stollen\u00a0", EDGES),
        ("\u200bStollen", EDGES),
        ("Stollen\ufeff ", EDGES),
        ("\u00a0", EDGES),
    ],
)
@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_full_clean_refuses_control_characters_and_invisible_ends(factory, _label, name, message):
    row = factory()
    row.name = name

    assert errors_of(row)["name"] == [message]


@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_full_clean_accepts_an_invisible_character_inside_a_name(factory, _label):
    row = factory()
    row.name = "Gingerbread\u200dMan"

    row.full_clean()


@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_a_name_is_stored_composed_however_it_was_typed(factory, _label):
    cleaned, saved = factory(), factory()
    cleaned.name = "Cre\u0300me bru\u0302le\u0301e"
    saved.name = "Sto\u0308llen"

    cleaned.full_clean()
    cleaned.save()
    saved.save()

    cleaned.refresh_from_db()
    saved.refresh_from_db()
    assert cleaned.name == "Cr\u00e8me br\u00fbl\u00e9e"
    assert saved.name == "St\u00f6llen"


@pytest.mark.parametrize(("factory", "label"), NAMED)
def test_full_clean_refuses_a_name_taken_in_its_other_unicode_form(factory, label):
    factory(name="Zo\u00eb's Stollen")
    row = factory()
    row.name = "Zoe\u0308's Stollen"

    assert errors_of(row) == {"name": [f"{label} with this Name already exists."]}


@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_full_clean_refuses_name_of_only_spaces(factory, _label):
    row = factory()
    row.name = "    "

    assert errors_of(row) == {"name": ["This field cannot be blank."]}


@pytest.mark.parametrize(("factory", "_label"), NAMED)
def test_full_clean_refuses_name_of_201_characters_and_accepts_200(factory, _label):
    row = factory()
    row.name = "x" * 201

    assert errors_of(row) == {
        "name": ["Ensure this value has at most 200 characters (it has 201)."]
    }
    row.name = "x" * 200
    row.full_clean()


@pytest.mark.parametrize(("factory", "label"), NAMED)
def test_full_clean_refuses_name_that_is_taken_once_stripped(factory, label):
    taken = factory()
    row = factory()
    row.name = f"  {taken.name} "

    assert errors_of(row) == {"name": [f"{label} with this Name already exists."]}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param(
            {"yield_mode": "discrete_count", "items_per_batch": None},
            {"items_per_batch": ["Required when the yield mode is discrete count."]},
            id="discrete count without items per batch",
        ),
        pytest.param(
            {"yield_mode": "batch_portion", "items_per_batch": None, "batch_percentage": None},
            {"batch_percentage": ["Required when the yield mode is batch portion."]},
            id="batch portion without batch percentage",
        ),
        pytest.param(
            {"items_per_batch": 0},
            {"items_per_batch": ["Ensure this value is greater than or equal to 1."]},
            id="no items per batch",
        ),
        pytest.param(
            {"yield_mode": "batch_portion", "batch_percentage": Decimal("0")},
            {"batch_percentage": ["Ensure this value is greater than or equal to 0.0001."]},
            id="batch percentage 0",
        ),
        pytest.param(
            {"yield_mode": "batch_portion", "batch_percentage": Decimal("100.0001")},
            {"batch_percentage": ["Ensure this value is less than or equal to 100."]},
            id="batch percentage over 100",
        ),
        pytest.param(
            {"yield_mode": "bogus"},
            {"yield_mode": ["Value 'bogus' is not a valid choice."]},
            id="unknown yield mode",
        ),
    ],
)
def test_full_clean_refuses_finished_unit_yield_fields_wrong_for_mode(fields, errors):
    unit = FinishedUnitFactory.build(recipe=RecipeFactory(), **fields)

    assert errors_of(unit) == errors


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"items_per_batch": 1}, id="discrete count of 1"),
        pytest.param({"portion": True, "batch_percentage": Decimal("100")}, id="whole batch"),
        pytest.param({"portion": True, "batch_percentage": Decimal("0.0001")}, id="tiny portion"),
    ],
)
def test_full_clean_accepts_finished_unit_with_the_yield_field_of_its_mode(fields):
    unit = FinishedUnitFactory.build(recipe=RecipeFactory(), **fields)

    unit.full_clean()


def test_full_clean_refuses_composition_closing_a_cycle_through_three_goods():
    a, b, c = (FinishedGoodFactory(name=name) for name in "ABC")
    CompositionFactory(assembly=a, component=b)
    CompositionFactory(assembly=b, component=c)

    closing = Composition(assembly=c, finished_good=a, quantity=1)

    assert errors_of(closing) == {
        "finished_good": ["'A' already contains 'C': this would make a cycle."]
    }
    assert not Composition.objects.filter(assembly=c).exists()


def test_full_clean_accepts_a_good_reached_by_two_paths():
    a, b, c = (FinishedGoodFactory(name=name) for name in "ABC")
    CompositionFactory(assembly=a, component=b)
    CompositionFactory(assembly=b, component=c)

    Composition(assembly=a, finished_good=c, quantity=1).full_clean()


def test_full_clean_refuses_composition_of_a_good_in_itself():
    good = FinishedGoodFactory()

    itself = Composition(assembly=good, finished_good=good, quantity=1)

    assert errors_of(itself) == {"finished_good": ["A finished good cannot contain itself."]}


@pytest.mark.parametrize(
    "components",
    [
        pytest.param(
            lambda: {
                "finished_unit": FinishedUnitFactory(),
                "finished_good": FinishedGoodFactory(),
            },
            id="both",
        ),
        pytest.param(dict, id="none"),
    ],
)
def test_full_clean_refuses_composition_without_exactly_one_component(components):
    composition = Composition(assembly=FinishedGoodFactory(), quantity=1, **components())

    assert errors_of(composition) == {
        "__all__": ["Choose exactly one component: a finished unit or a good."]
    }


@pytest.mark.parametrize(
    ("make_component", "message"),
    [
        pytest.param(
            FinishedUnitFactory,
            "This finished unit is already a component of the good.",
            id="unit",
        ),
        pytest.param(
            FinishedGoodFactory,
            "This finished good is already a component of the good.",
            id="good",
        ),
    ],
)
def test_full_clean_refuses_the_same_component_twice_in_a_good(make_component, message):
    first = CompositionFactory(component=make_component())

    again = Composition(
        assembly=first.assembly,
        finished_unit=first.finished_unit,
        finished_good=first.finished_good,
        quantity=1,
    )

    assert errors_of(again) == {"__all__": [message]}


def test_full_clean_refuses_production_run_of_a_unit_from_another_recipe():
    cookie = FinishedUnitFactory(name="Cookie", recipe=RecipeFactory(name="Cookies"))
    run = ProductionRunFactory.build(finished_unit=cookie, recipe=RecipeFactory(name="Cake"))

    assert errors_of(run) == {
        "finished_unit": ["'Cookie' is made from 'Cookies', not from 'Cake'."]
    }
    assert not ProductionRun.objects.exists()


def test_full_clean_accepts_production_run_of_a_unit_from_its_recipe():
    cookie = FinishedUnitFactory()

    ProductionRunFactory.build(finished_unit=cookie, event=EventFactory()).full_clean()


def test_event_year_defaults_to_the_year_of_its_date_on_save():
    event = EventFactory(event_date=datetime.date(2025, 12, 24), year=None)

    event.refresh_from_db()
    assert event.year == 2025


def test_event_keeps_a_year_given_for_it():
    event = EventFactory(event_date=datetime.date(2026, 1, 2), year=2025)

    event.refresh_from_db()
    assert event.year == 2025


def test_full_clean_gives_event_the_year_of_its_date():
    event = Event(name="Christmas 2025", event_date=datetime.date(2025, 12, 24))

    event.full_clean()

    assert event.year == 2025
