"""The project-wide display rules of bakery.adminkit: decimals, join tables, notes boxes."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from bakery.adminkit import BakeryAdmin
from bakery.models import Composition, Event, PackageFinishedGood, Recipe, RecipeIngredient
from bakery.numbers import decimal_text, trimmed
from production.models import ProductionRun
from tests.factories import (
    EventFactory,
    EventProductionTargetFactory,
    IngredientFactory,
    ProductionRunFactory,
    RecipeFactory,
)

JOIN_TABLES = [RecipeIngredient, Composition, PackageFinishedGood]


def admin_url(model, view, *args):
    """Return the URL of an admin view of a model."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def listed_models(app_list):
    """Return the names of the models an app list shows, by app label."""
    return {app["app_label"]: {m["name"] for m in app["models"]} for app in app_list}


def column_cells(response, name):
    """Return the text of each row's cell of a change list column."""
    names = [getattr(item, "__name__", item) for item in response.context["cl"].list_display]
    index = names.index(name)
    return [str(row[index]) for row in response.context["results"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2.2500", "2.25"),
        ("48.0000", "48"),
        ("12.5000", "12.5"),
        ("0.0000", "0"),
        ("0.1330", "0.133"),
        ("100", "100"),
        ("1E+3", "1000"),
    ],
)
def test_decimal_text_drops_trailing_zeros_and_never_writes_an_exponent(value, text):
    assert decimal_text(Decimal(value)) == text
    assert trimmed(Decimal(value)) == Decimal(value)


def test_recipe_changelist_shows_the_yield_without_trailing_zeros(admin_client, db):
    RecipeFactory(name="Shortbread", yield_quantity=Decimal("48.0000"))
    RecipeFactory(name="Stollen", yield_quantity=Decimal("2.5000"))

    response = admin_client.get(admin_url(Recipe, "changelist"))

    assert column_cells(response, "yield_quantity") == [
        '<td class="field-yield_quantity">48</td>',
        '<td class="field-yield_quantity">2.5</td>',
    ]
    assertNotContains(response, "48.0000")
    assertContains(
        response,
        '<th scope="col" class="sortable column-yield_quantity"><div class="text">'
        '<a href="?o=3.1">Yield quantity</a></div><div class="clear"></div></th>',
        html=True,
    )


def test_decimal_column_sorts_by_its_field(admin_client, db):
    for name, quantity in [("Small", "6.0000"), ("Large", "48.0000"), ("Half", "12.5000")]:
        RecipeFactory(name=name, yield_quantity=Decimal(quantity))

    response = admin_client.get(admin_url(Recipe, "changelist"), {"o": "-3"})

    assert [r.name for r in response.context["cl"].result_list] == ["Large", "Half", "Small"]
    assert column_cells(response, "yield_quantity") == [
        '<td class="field-yield_quantity">48</td>',
        '<td class="field-yield_quantity">12.5</td>',
        '<td class="field-yield_quantity">6</td>',
    ]


def test_production_run_changelist_shows_the_cost_without_trailing_zeros(admin_client, db):
    ProductionRunFactory(total_ingredient_cost=Decimal("12.5000"))

    response = admin_client.get(admin_url(ProductionRun, "changelist"))

    assert column_cells(response, "total_ingredient_cost") == [
        '<td class="field-total_ingredient_cost">12.5</td>'
    ]
    assertNotContains(response, "12.5000")


def test_recipe_change_page_shows_decimals_without_trailing_zeros_in_its_inputs(admin_client, db):
    recipe = RecipeFactory(
        yield_quantity=Decimal("48.0000"),
        ingredients=[(IngredientFactory(name="Flour"), Decimal("2.2500"))],
    )

    response = admin_client.get(admin_url(Recipe, "change", recipe.pk))

    assertContains(response, 'name="yield_quantity" value="48"')
    assertContains(response, 'name="ingredients-0-quantity" value="2.25"')


def test_production_run_change_page_shows_its_costs_without_trailing_zeros(admin_client, db):
    run = ProductionRunFactory(
        total_ingredient_cost=Decimal("12.5000"), per_unit_cost=Decimal("0.1330")
    )

    response = admin_client.get(admin_url(ProductionRun, "change", run.pk))

    assertContains(response, 'name="total_ingredient_cost" value="12.5"')
    assertContains(response, 'name="per_unit_cost" value="0.133"')


def test_a_decimal_typed_in_is_shown_back_as_typed_with_an_error(admin_client, db):
    recipe = RecipeFactory()

    response = admin_client.post(
        admin_url(Recipe, "change", recipe.pk),
        {
            "name": "",
            "yield_quantity": "2.50",
            "ingredients-TOTAL_FORMS": 0,
            "ingredients-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assertContains(response, 'name="yield_quantity" value="2.50"')


def test_admin_index_lists_recipes_but_not_the_join_tables(admin_client, db):
    response = admin_client.get(reverse("admin:index"))

    bakery_models = listed_models(response.context["app_list"])["bakery"]
    assert "Recipes" in bakery_models
    assert bakery_models.isdisjoint({"Recipe ingredients", "Compositions", "Package contents"})


def test_navigation_sidebar_does_not_list_the_join_tables(admin_client, db):
    response = admin_client.get(admin_url(Recipe, "changelist"))

    bakery_models = listed_models(response.context["available_apps"])["bakery"]
    assert "Recipes" in bakery_models
    assert bakery_models.isdisjoint({"Recipe ingredients", "Compositions", "Package contents"})


@pytest.mark.parametrize("model", JOIN_TABLES, ids=lambda m: m._meta.label)
def test_join_table_pages_still_open_for_a_superuser(admin_client, bakery, model):
    obj = model.objects.first()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_inline_notes_box_is_compact_and_the_record_notes_box_is_not(admin_client, db):
    recipe = RecipeFactory(ingredients=[(IngredientFactory(), Decimal("1"))])

    response = admin_client.get(admin_url(Recipe, "change", recipe.pk))

    assertContains(
        response,
        '<textarea name="ingredients-0-notes" cols="30" rows="2" '
        'id="id_ingredients-0-notes"></textarea>',
        html=True,
    )
    assertContains(
        response,
        '<textarea name="notes" cols="40" rows="10" class="vLargeTextField" '
        'id="id_notes"></textarea>',
        html=True,
    )


def test_production_app_inlines_get_the_compact_notes_box_too(admin_client, db):
    event = EventFactory()
    EventProductionTargetFactory(event=event)

    response = admin_client.get(admin_url(Event, "change", event.pk))

    assertContains(
        response,
        '<textarea name="production_targets-0-notes" cols="30" rows="2" '
        'id="id_production_targets-0-notes"></textarea>',
        html=True,
    )


def make_admin(**options):
    """Return a BakeryAdmin of Recipe with the given options, on a site of its own."""
    recipe_admin = type("RecipeTestAdmin", (BakeryAdmin,), options)
    return recipe_admin(Recipe, admin.AdminSite(name="display-test"))


def test_a_decimal_named_as_the_list_link_stays_the_link(rf: RequestFactory):
    model_admin = make_admin(
        list_display=("yield_quantity", "name"), list_display_links=("yield_quantity",)
    )
    request = rf.get("/")

    list_display = model_admin.get_list_display(request)

    assert model_admin.get_list_display_links(request, list_display) == [list_display[0]]
    assert list_display[0] is model_admin.decimal_columns["yield_quantity"]


def test_an_editable_decimal_stays_the_field_itself(rf: RequestFactory):
    model_admin = make_admin(
        list_display=("name", "yield_quantity"), list_editable=("yield_quantity",)
    )

    assert list(model_admin.get_list_display(rf.get("/"))) == ["name", "yield_quantity"]
