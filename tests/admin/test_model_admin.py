import pytest
from django.contrib import admin, messages
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    FulfillmentStatus,
    Ingredient,
    Package,
    PackageFinishedGood,
    Recipe,
    RecipeIngredient,
    Recipient,
)
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.factories import (
    EventFactory,
    EventRecipientPackageFactory,
    IngredientFactory,
    PackageFactory,
    ProductionRunFactory,
    RecipeFactory,
    RecipientFactory,
)

BAKERY_MODELS = [
    model for model in admin.site._registry if model._meta.app_label in {"bakery", "production"}
]


def admin_url(model, view, *args):
    """Return the URL of an admin view of a model."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """Return the POST data that resubmits a change form, inlines included, as rendered."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data


def shown_messages(response):
    """Return the (level, text) of every message shown on a followed response."""
    return [(message.level, message.message) for message in response.context["messages"]]


def changelist_rows(response):
    """Return the objects listed on a changelist page."""
    return list(response.context["cl"].result_list)


def test_every_bakery_and_production_model_is_registered():
    assert set(BAKERY_MODELS) == {
        Ingredient,
        Recipe,
        RecipeIngredient,
        FinishedUnit,
        FinishedGood,
        Composition,
        Package,
        PackageFinishedGood,
        Recipient,
        Event,
        EventRecipientPackage,
        ProductionRun,
        AssemblyRun,
        EventProductionTarget,
        EventAssemblyTarget,
    }


@pytest.mark.parametrize("model", BAKERY_MODELS, ids=lambda m: m._meta.label)
def test_superuser_opens_changelist_add_and_change_pages(admin_client, bakery, model):
    obj = model.objects.first()

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", BAKERY_MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_runs_on_every_search_field(admin_client, bakery, model):
    response = admin_client.get(admin_url(model, "changelist"), {"q": "Recipe 1"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", BAKERY_MODELS, ids=lambda m: m._meta.label)
def test_staff_user_without_permissions_is_forbidden_the_changelist(
    client, django_user_model, model
):
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)
    client.force_login(clerk)

    assert client.get(admin_url(model, "changelist")).status_code == 403


def test_recipe_search_finds_recipes_by_ingredient_name(admin_client, db):
    molasses = IngredientFactory(name="Molasses")
    gingerbread = RecipeFactory(name="Gingerbread", ingredients=[(molasses, 1)])
    RecipeFactory(name="Shortbread", ingredients=[(IngredientFactory(name="Butter"), 1)])

    response = admin_client.get(admin_url(Recipe, "changelist"), {"q": "molasses"})

    assert changelist_rows(response) == [gingerbread]


def test_assignment_search_finds_assignments_by_recipient_name(admin_client, db):
    alice = EventRecipientPackageFactory(recipient=RecipientFactory(name="Alice Baker"))
    EventRecipientPackageFactory(recipient=RecipientFactory(name="Bob Miller"))

    response = admin_client.get(admin_url(EventRecipientPackage, "changelist"), {"q": "alice"})

    assert changelist_rows(response) == [alice]


def test_production_run_search_finds_runs_by_recipe_name(admin_client, db):
    stollen = ProductionRunFactory(finished_unit__recipe=RecipeFactory(name="Stollen"))
    ProductionRunFactory(finished_unit__recipe=RecipeFactory(name="Panettone"))

    response = admin_client.get(admin_url(ProductionRun, "changelist"), {"q": "stollen"})

    assert changelist_rows(response) == [stollen]


def test_composition_search_finds_compositions_by_component_name(admin_client, bakery):
    box, tin = bakery.finished_goods
    cookie = bakery.finished_units[0]

    response = admin_client.get(admin_url(Composition, "changelist"), {"q": f'"{cookie.name}"'})

    assert changelist_rows(response) == [box.components.get(finished_unit=cookie)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("standalone", {"standalone"}), ("event", {"event"})],
)
def test_attribution_filter_splits_standalone_runs_from_event_runs(
    admin_client, bakery, value, expected
):
    for model in (ProductionRun, AssemblyRun):
        response = admin_client.get(admin_url(model, "changelist"), {"attribution": value})

        rows = changelist_rows(response)
        assert rows
        assert {"standalone" if run.event_id is None else "event" for run in rows} == expected


def test_event_change_page_shows_progress_of_each_target_and_package_counts(admin_client, bakery):
    event = bakery.events[0]
    cookies, cake = bakery.recipes
    box = bakery.finished_goods[0]

    response = admin_client.get(admin_url(Event, "change", event.pk))

    assertContains(response, "<p>Targets complete: 0/3</p>", html=True)
    assertContains(
        response,
        f"<li>{cookies.name}: 3/4 batches (75%), 144 made "
        '<progress max="4" value="3">75%</progress></li>',
        html=True,
    )
    assertContains(
        response,
        f'<li>{cake.name}: 1/2 batches (50%), 1 made <progress max="2" value="1">50%</progress>'
        "</li>",
        html=True,
    )
    assertContains(
        response,
        f'<li>{box.name}: 3/10 assembled (30%) <progress max="10" value="3">30%</progress></li>',
        html=True,
    )
    assertContains(
        response, "<p>Packages: 1 pending, 1 ready, 1 delivered, 3 in all</p>", html=True
    )


def test_event_change_page_marks_a_complete_target_and_shows_progress_over_100(
    admin_client, bakery
):
    event = bakery.events[0]
    cake = bakery.recipes[1]
    ProductionRunFactory(event=event, finished_unit=bakery.finished_units[1], num_batches=2)

    response = admin_client.get(admin_url(Event, "change", event.pk))

    assertContains(response, "<p>Targets complete: 1/3</p>", html=True)
    assertContains(
        response,
        f'<li>{cake.name}: 3/2 batches (150%), 3 made <progress max="2" value="3">150%</progress>'
        ' <strong class="complete">✓ complete</strong></li>',
        html=True,
    )


def test_event_change_page_escapes_names_in_progress(admin_client, db):
    event = EventFactory()
    run = ProductionRunFactory(event=event, finished_unit__recipe__name="<b>Bold</b> buns")
    EventProductionTarget.objects.create(event=event, recipe=run.recipe, target_batches=4)

    response = admin_client.get(admin_url(Event, "change", event.pk))

    assertContains(response, "&lt;b&gt;Bold&lt;/b&gt; buns: 2/4 batches (50%)")
    assertNotContains(response, "<b>Bold</b>")


def test_event_changelist_shows_targets_complete_and_packages_delivered(admin_client, bakery):
    response = admin_client.get(admin_url(Event, "changelist"))

    assertContains(response, "targets complete: 0/3, packages delivered: 1/3", count=2)


def test_event_add_page_has_no_progress(admin_client, db):
    response = admin_client.get(admin_url(Event, "add"))

    assertNotContains(response, "Targets complete")


def test_event_inline_does_not_offer_fulfillment_status(admin_client, bakery):
    response = admin_client.get(admin_url(Event, "change", bakery.events[0].pk))

    assignments = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is EventRecipientPackage
    )
    assert "fulfillment_status" not in assignments.forms[0].fields


def post_action(client, action, assignments, **fields):
    """Run an assignment admin action on the given rows and follow to the changelist."""
    return client.post(
        admin_url(EventRecipientPackage, "changelist"),
        {
            "action": action,
            "_selected_action": [a.pk for a in assignments],
            "index": 0,
            "select_across": 0,
            **fields,
        },
        follow=True,
    )


def statuses(assignments):
    """Return the stored fulfillment status of each assignment."""
    return [EventRecipientPackage.objects.get(pk=a.pk).fulfillment_status for a in assignments]


def test_mark_ready_moves_every_selected_pending_assignment(admin_client, db):
    event = EventFactory()
    pending = EventRecipientPackageFactory.create_batch(2, event=event)

    response = post_action(admin_client, "mark_ready", pending)

    assert statuses(pending) == ["ready", "ready"]
    assert shown_messages(response) == [
        (messages.SUCCESS, "Marked 2 package assignments ready."),
    ]


def test_mark_delivered_moves_ready_and_refuses_pending_row_by_row(admin_client, db):
    event = EventFactory()
    alice = EventRecipientPackageFactory(event=event, recipient=RecipientFactory(name="Alice"))
    bob = EventRecipientPackageFactory(
        event=event,
        recipient=RecipientFactory(name="Bob"),
        fulfillment_status=FulfillmentStatus.READY,
    )

    response = post_action(admin_client, "mark_delivered", [alice, bob], post="yes")

    assert statuses([alice, bob]) == ["pending", "delivered"]
    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{alice} is pending: it can only be marked ready next, not delivered.",
        ),
        (messages.SUCCESS, "Marked 1 package assignment delivered."),
    ]


def test_mark_delivered_refuses_skipping_ready_and_leaves_row_pending(admin_client, db):
    pending = EventRecipientPackageFactory()

    response = post_action(admin_client, "mark_delivered", [pending])

    assert statuses([pending]) == ["pending"]
    assert shown_messages(response) == [
        (
            messages.WARNING,
            f"{pending} is pending: it can only be marked ready next, not delivered.",
        ),
    ]


def test_mark_ready_refuses_an_assignment_already_ready(admin_client, db):
    ready = EventRecipientPackageFactory(fulfillment_status=FulfillmentStatus.READY)

    response = post_action(admin_client, "mark_ready", [ready])

    assert statuses([ready]) == ["ready"]
    assert shown_messages(response) == [(messages.WARNING, f"{ready} is already ready.")]


def test_assignment_change_form_does_not_change_fulfillment_status(admin_client, db):
    assignment = EventRecipientPackageFactory()
    url = admin_url(EventRecipientPackage, "change", assignment.pk)

    response = admin_client.post(
        url,
        {
            "event": assignment.event_id,
            "recipient": assignment.recipient_id,
            "package": assignment.package_id,
            "quantity": 2,
            "fulfillment_status": "delivered",
            "delivered_to": "Neighbour",
            "notes": "",
        },
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.quantity, assignment.delivered_to) == (2, "Neighbour")
    assert assignment.fulfillment_status == "pending"


def test_assignment_add_form_offers_fulfillment_status_and_change_form_does_not(admin_client, db):
    assignment = EventRecipientPackageFactory()

    add = admin_client.get(admin_url(EventRecipientPackage, "add"))
    change = admin_client.get(admin_url(EventRecipientPackage, "change", assignment.pk))

    assert "fulfillment_status" in add.context["adminform"].form.fields
    assert "fulfillment_status" not in change.context["adminform"].form.fields
    assertContains(change, '<div class="readonly">Pending</div>', html=True)


def test_composition_admin_shows_a_cycle_as_a_form_error(admin_client, bakery):
    box, tin = bakery.finished_goods

    response = admin_client.post(
        admin_url(Composition, "add"),
        {"assembly": box.pk, "finished_good": tin.pk, "quantity": 1, "sort_order": 0},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "finished_good": [f"'{tin}' already contains '{box}': this would make a cycle."]
    }
    assert not box.components.filter(finished_good=tin).exists()


def test_finished_good_inline_shows_a_cycle_as_a_form_error(admin_client, bakery):
    box, tin = bakery.finished_goods
    url = admin_url(FinishedGood, "change", box.pk)
    data = form_data(admin_client.get(url))
    data.update(
        {"components-1-finished_good": tin.pk, "components-1-quantity": 1},
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    components = response.context["inline_admin_formsets"][0].formset
    assert components.errors == [
        {},
        {"finished_good": [f"'{tin}' already contains '{box}': this would make a cycle."]},
    ]
    assert not box.components.filter(finished_good=tin).exists()


def test_finished_good_inline_saves_a_valid_component(admin_client, bakery):
    box = bakery.finished_goods[0]
    cake_slice = bakery.finished_units[1]
    url = admin_url(FinishedGood, "change", box.pk)
    data = form_data(admin_client.get(url))
    data.update({"components-1-finished_unit": cake_slice.pk, "components-1-quantity": 2})

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert box.components.get(finished_unit=cake_slice).quantity == 2


def test_production_run_admin_refuses_a_finished_unit_of_another_recipe(admin_client, bakery):
    cookies, cake = bakery.recipes
    cake_slice = bakery.finished_units[1]

    response = admin_client.post(
        admin_url(ProductionRun, "add"),
        {
            "recipe": cookies.pk,
            "finished_unit": cake_slice.pk,
            "num_batches": 1,
            "expected_yield": 0,
            "actual_yield": 0,
            "produced_at_0": "2025-12-01",
            "produced_at_1": "10:00:00",
            "total_ingredient_cost": "0",
            "per_unit_cost": "0",
            "notes": "",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "finished_unit": [f"'{cake_slice}' is made from '{cake}', not from '{cookies}'."]
    }
    assert not ProductionRun.objects.filter(recipe=cookies, finished_unit=cake_slice).exists()


@pytest.mark.parametrize("rows", [5, 50])
def test_assignment_changelist_queries_do_not_grow_with_rows(
    admin_client, db, django_assert_max_num_queries, rows
):
    event, package = EventFactory(), PackageFactory()
    EventRecipientPackageFactory.create_batch(rows, event=event, package=package)

    with django_assert_max_num_queries(10):
        response = admin_client.get(admin_url(EventRecipientPackage, "changelist"))

    assert len(changelist_rows(response)) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_production_run_changelist_queries_do_not_grow_with_rows(
    admin_client, db, django_assert_max_num_queries, rows
):
    event, recipe = EventFactory(), RecipeFactory()
    ProductionRunFactory.create_batch(rows, event=event, finished_unit__recipe=recipe)

    with django_assert_max_num_queries(10):
        response = admin_client.get(admin_url(ProductionRun, "changelist"))

    assert len(changelist_rows(response)) == rows
