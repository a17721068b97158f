"""The pages of runs do the baker's arithmetic: the recipe's only finished unit, the expected
yield from the unit and the batches, the time made now, the event nearest upcoming first."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from production.forms import expected_yield_of
from production.models import AssemblyRun, ProductionRun
from tests.factories import (
    AssemblyRunFactory,
    EventFactory,
    FinishedUnitFactory,
    ProductionRunFactory,
    RecipeFactory,
)

YIELDS = "admin:production_productionrun_yields"


def url(model, view, *args):
    """Return the address of an admin page of a model of runs."""
    return reverse(f"admin:production_{model._meta.model_name}_{view}", args=args)


def run_data(**fields):
    """Return the POST data of a production run's form, with these fields changed."""
    return {
        "recipe": "",
        "finished_unit": "",
        "event": "",
        "num_batches": "2",
        "expected_yield": "",
        "actual_yield": "0",
        "produced_at_0": "2025-12-01",
        "produced_at_1": "10:00:00",
        "total_ingredient_cost": "0",
        "per_unit_cost": "0",
        "notes": "",
        **fields,
    }


def add_run(client, **fields):
    """Submit the add form of a production run; return the response."""
    return client.post(url(ProductionRun, "add"), run_data(**fields))


def errors(response):
    """Return the errors of the submitted form, by field."""
    return response.context["adminform"].form.errors


@pytest.fixture
def stollen(db):
    """A recipe with two finished units."""
    recipe = RecipeFactory(name="Stollen")
    FinishedUnitFactory(name="Stollen slice", recipe=recipe, portion=True)
    FinishedUnitFactory(name="Stollen loaf", recipe=recipe, items_per_batch=2)
    return recipe


def test_production_run_add_form_starts_at_now_with_the_expected_yield_empty(admin_client):
    before = timezone.now().replace(microsecond=0)

    response = admin_client.get(url(ProductionRun, "add"))

    form = response.context["adminform"].form
    assert before <= form.initial["produced_at"] <= timezone.now()
    assert form.initial["produced_at"].microsecond == 0
    assert form["expected_yield"].value() is None
    assert not form.fields["expected_yield"].required
    assert not form.fields["finished_unit"].required


def test_assembly_run_add_form_starts_at_now(admin_client):
    before = timezone.now().replace(microsecond=0)

    response = admin_client.get(url(AssemblyRun, "add"))

    assert before <= response.context["adminform"].form.initial["assembled_at"] <= timezone.now()


def test_production_run_change_form_shows_the_stored_expected_yield(admin_client, db):
    run = ProductionRunFactory(num_batches=2, expected_yield=90)

    response = admin_client.get(url(ProductionRun, "change", run.pk))

    assert response.context["adminform"].form["expected_yield"].value() == 90


def test_production_run_form_loads_its_script_and_names_where_to_ask_for_yields(admin_client):
    response = admin_client.get(url(ProductionRun, "add"))

    assertContains(response, '<script src="/static/production/run_form.js"></script>', html=True)
    widget = response.context["adminform"].form.fields["expected_yield"].widget
    assert (
        widget.attrs["data-yields-url"]
        == reverse(YIELDS)
        == "/admin/production/productionrun/yields/"
    )


def test_assembly_run_form_does_not_load_the_production_script(admin_client):
    assertNotContains(admin_client.get(url(AssemblyRun, "add")), "production/run_form.js")


@pytest.mark.parametrize("model", [ProductionRun, AssemblyRun])
def test_add_form_has_no_uuid_to_show(admin_client, model):
    response = admin_client.get(url(model, "add"))

    fieldsets = response.context["adminform"].fieldsets
    assert [name for name, _ in fieldsets] == [None]
    assert "uuid" not in fieldsets[0][1]["fields"]


@pytest.mark.parametrize("factory", [ProductionRunFactory, AssemblyRunFactory])
def test_change_form_shows_the_uuid_read_only_in_a_folded_record_fieldset_at_the_end(
    admin_client, db, factory
):
    run = factory()

    response = admin_client.get(url(type(run), "change", run.pk))

    adminform = response.context["adminform"]
    assert adminform.fieldsets[-1] == ("Record", {"classes": ("collapse",), "fields": ("uuid",)})
    assert "uuid" not in adminform.form.fields
    assert "uuid" not in adminform.fieldsets[0][1]["fields"]
    assertContains(response, f'<div class="readonly">{run.uuid}</div>', html=True)
    assertContains(response, "<summary>", count=1)


@pytest.mark.parametrize("model", [ProductionRun, AssemblyRun])
def test_event_is_a_plain_choice_nearest_upcoming_first_then_standalone_at_the_top(
    admin_client, db, model
):
    today = timezone.localdate()
    past = EventFactory(name="Last spring", event_date=today - datetime.timedelta(days=200))
    recent = EventFactory(name="Last week", event_date=today - datetime.timedelta(days=7))
    far = EventFactory(name="Far away", event_date=today + datetime.timedelta(days=300))
    near = EventFactory(name="Soon", event_date=today + datetime.timedelta(days=5))
    now = EventFactory(name="Today", event_date=today)

    response = admin_client.get(url(model, "add"))

    field = response.context["adminform"].form.fields["event"]
    assert type(field.widget.widget) is forms.Select
    assert [label for _, label in field.choices] == [
        "None (standalone)",
        now.name,
        near.name,
        far.name,
        recent.name,
        past.name,
    ]
    assert [str(value) for value, _ in field.choices] == [
        "",
        *(str(e.pk) for e in (now, near, far, recent, past)),
    ]


def test_empty_event_choice_saves_a_standalone_run(admin_client, db):
    unit = FinishedUnitFactory()

    response = add_run(admin_client, recipe=unit.recipe.pk, finished_unit=unit.pk)

    assert response.status_code == 302
    assert ProductionRun.objects.get(recipe=unit.recipe).event is None


def test_recipe_with_one_finished_unit_gives_the_run_its_unit_and_expected_yield(admin_client, db):
    cookie = FinishedUnitFactory(items_per_batch=48)
    event = EventFactory()

    response = add_run(admin_client, recipe=cookie.recipe.pk, num_batches="3", event=event.pk)

    assert response.status_code == 302
    run = ProductionRun.objects.get(recipe=cookie.recipe)
    assert (run.finished_unit, run.expected_yield, run.event) == (cookie, 144, event)


def test_expected_yield_left_empty_is_worked_out_for_a_batch_portion(admin_client, db):
    quarter = FinishedUnitFactory(portion=True, batch_percentage=Decimal("25"))

    response = add_run(
        admin_client, recipe=quarter.recipe.pk, finished_unit=quarter.pk, num_batches="2"
    )

    assert response.status_code == 302
    assert ProductionRun.objects.get(finished_unit=quarter).expected_yield == 8


def test_expected_yield_left_empty_is_worked_out_from_the_chosen_unit(admin_client, stollen):
    loaf = stollen.finished_units.get(name="Stollen loaf")

    response = add_run(admin_client, recipe=stollen.pk, finished_unit=loaf.pk, num_batches="5")

    assert response.status_code == 302
    run = ProductionRun.objects.get(recipe=stollen)
    assert (run.finished_unit, run.expected_yield) == (loaf, 10)


@pytest.mark.parametrize("given", ["100", "0"])
def test_expected_yield_given_is_kept(admin_client, db, given):
    cookie = FinishedUnitFactory(items_per_batch=48)

    response = add_run(admin_client, recipe=cookie.recipe.pk, num_batches="3", expected_yield=given)

    assert response.status_code == 302
    assert ProductionRun.objects.get(recipe=cookie.recipe).expected_yield == int(given)


def test_expected_yield_emptied_on_the_change_form_is_worked_out_again(admin_client, db):
    run = ProductionRunFactory(num_batches=2, expected_yield=90, finished_unit__items_per_batch=48)

    response = admin_client.post(
        url(ProductionRun, "change", run.pk),
        run_data(recipe=run.recipe.pk, finished_unit=run.finished_unit.pk, event=run.event.pk),
    )

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.expected_yield == 96


def test_recipe_with_several_finished_units_asks_which_one(admin_client, stollen):
    response = add_run(admin_client, recipe=stollen.pk)

    assert response.status_code == 200
    assert errors(response) == {
        "finished_unit": [
            "Choose which finished unit of 'Stollen' was made: Stollen loaf, Stollen slice."
        ]
    }
    assert errors(response).as_data()["finished_unit"][0].code == "choose_unit"
    assert not ProductionRun.objects.exists()


def test_recipe_without_finished_unit_says_to_add_one(admin_client, db):
    recipe = RecipeFactory(name="Panettone")

    response = add_run(admin_client, recipe=recipe.pk)

    assert errors(response) == {
        "finished_unit": ["'Panettone' has no finished unit yet; add one to the recipe first."]
    }
    assert errors(response).as_data()["finished_unit"][0].code == "no_unit"
    assert not ProductionRun.objects.exists()


def test_no_recipe_and_no_unit_are_both_required(admin_client, db):
    response = add_run(admin_client)

    assert errors(response) == {
        "recipe": ["This field is required."],
        "finished_unit": ["This field is required."],
    }


def test_unit_of_another_recipe_is_refused_once_expected_yield_empty_or_not(admin_client, stollen):
    cookie = FinishedUnitFactory(name="Cookie")

    response = add_run(admin_client, recipe=stollen.pk, finished_unit=cookie.pk)

    assert errors(response) == {
        "finished_unit": [f"'Cookie' is made from '{cookie.recipe}', not from 'Stollen'."]
    }


def test_batches_below_one_are_refused_on_their_field_alone(admin_client, db):
    cookie = FinishedUnitFactory()

    response = add_run(admin_client, recipe=cookie.recipe.pk, num_batches="0")

    assert errors(response) == {"num_batches": ["Ensure this value is greater than or equal to 1."]}


def test_unit_with_no_yield_per_batch_asks_for_the_expected_yield():
    # The database's yield_field_for_mode constraint keeps such a unit from being saved, so the
    # rule is tried on a unit in memory.
    loaf = FinishedUnitFactory.build(name="Loaf", items_per_batch=None)

    with pytest.raises(ValidationError) as caught:
        expected_yield_of(loaf, 2)

    assert caught.value.code == "no_yield"
    assert caught.value.messages == [
        "'Loaf' has no yield per batch to work it out from; enter the expected yield."
    ]


def test_yields_answer_lists_the_recipe_units_and_their_expected_yields(admin_client, stollen):
    loaf = stollen.finished_units.get(name="Stollen loaf")
    slice_ = stollen.finished_units.get(name="Stollen slice")

    response = admin_client.get(reverse(YIELDS), {"recipe": stollen.pk, "batches": "3"})

    assert response.status_code == 200
    assert response.json() == {
        "units": [
            {"id": loaf.pk, "name": "Stollen loaf", "expected_yield": 6},
            {"id": slice_.pk, "name": "Stollen slice", "expected_yield": 12},
        ]
    }


def test_yields_answer_without_batches_has_no_expected_yield(admin_client, db):
    cookie = FinishedUnitFactory(name="Cookie")

    response = admin_client.get(reverse(YIELDS), {"recipe": cookie.recipe.pk})

    assert response.json() == {
        "units": [{"id": cookie.pk, "name": "Cookie", "expected_yield": None}]
    }


@pytest.mark.parametrize(
    ("recipe", "batches", "field"),
    [(None, "2", "recipe"), ("nope", "2", "recipe"), ("known", "0", "batches")],
)
def test_yields_refuses_a_bad_question(admin_client, db, recipe, batches, field):
    known = RecipeFactory()
    query = {"batches": batches}
    if recipe is not None:
        query["recipe"] = known.pk if recipe == "known" else recipe

    response = admin_client.get(reverse(YIELDS), query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_yields_sends_an_anonymous_visitor_to_log_in(client, db):
    recipe = RecipeFactory()

    response = client.get(reverse(YIELDS), {"recipe": recipe.pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("codenames", "status"),
    [
        ((), 403),
        (("view_productionrun",), 403),
        (("add_productionrun",), 200),
        (("change_productionrun",), 200),
    ],
)
def test_yields_answers_only_who_may_add_or_change_runs(client, db, codenames, status):
    recipe = RecipeFactory()
    user = User.objects.create_user("clerk", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)

    response = client.get(reverse(YIELDS), {"recipe": recipe.pk})

    assert response.status_code == status
