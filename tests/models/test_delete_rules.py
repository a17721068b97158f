"""The on_delete rules of DOMAIN.md: what a delete takes with it, and what refuses it."""

import pytest
from django.db.models import ProtectedError

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    Package,
    PackageFinishedGood,
    Recipe,
    RecipeIngredient,
    Recipient,
)
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.factories import (
    AssemblyRunFactory,
    CompositionFactory,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    EventRecipientPackageFactory,
    FinishedGoodFactory,
    FinishedUnitFactory,
    IngredientFactory,
    PackageFactory,
    PackageFinishedGoodFactory,
    ProductionRunFactory,
    RecipeFactory,
    RecipeIngredientFactory,
)

pytestmark = pytest.mark.django_db


def refused_message(model, *protecting):
    """Return Django's ProtectedError message for a delete refused through these foreign keys."""
    fields = ", ".join(f"'{name}'" for name in protecting)
    return (
        f"Cannot delete some instances of model '{model.__name__}' because they are "
        f"referenced through protected foreign keys: {fields}."
    )


def assert_refused(instance, blocker, *protecting):
    """Delete the instance, expect a refusal naming the blocker, and find both rows intact."""
    with pytest.raises(ProtectedError) as refusal:
        instance.delete()

    assert refusal.value.args[0] == refused_message(type(instance), *protecting)
    assert blocker in refusal.value.protected_objects
    assert type(instance).objects.filter(pk=instance.pk).exists()
    assert type(blocker).objects.filter(pk=blocker.pk).exists()


def test_deleting_event_deletes_its_targets_and_package_assignments():
    event, other = EventFactory(), EventFactory()
    for each in (event, other):
        EventProductionTargetFactory(event=each)
        EventAssemblyTargetFactory(event=each)
        EventRecipientPackageFactory(event=each)

    event.delete()

    assert list(Event.objects.all()) == [other]
    for model in (EventProductionTarget, EventAssemblyTarget, EventRecipientPackage):
        assert list(model.objects.values_list("event", flat=True)) == [other.pk]
    # What the deleted rows pointed at stays: it belongs to the catalog, not to the event.
    assert Recipe.objects.count() == 2
    assert FinishedGood.objects.count() == 2
    assert Recipient.objects.count() == 2
    assert Package.objects.count() == 2


@pytest.mark.parametrize(
    ("run_factory", "protecting"),
    [
        pytest.param(ProductionRunFactory, "ProductionRun.event", id="production run"),
        pytest.param(AssemblyRunFactory, "AssemblyRun.event", id="assembly run"),
    ],
)
def test_deleting_event_is_refused_while_a_run_is_attributed_to_it(run_factory, protecting):
    run = run_factory()
    target = EventProductionTargetFactory(event=run.event)
    assignment = EventRecipientPackageFactory(event=run.event)

    assert_refused(run.event, run, protecting)
    assert EventProductionTarget.objects.filter(pk=target.pk).exists()
    assert EventRecipientPackage.objects.filter(pk=assignment.pk).exists()


def test_deleting_event_is_allowed_while_only_standalone_runs_exist():
    event = EventFactory()
    ProductionRunFactory(standalone=True)
    AssemblyRunFactory(standalone=True)

    event.delete()

    assert not Event.objects.filter(pk=event.pk).exists()
    assert ProductionRun.objects.count() == 1
    assert AssemblyRun.objects.count() == 1


@pytest.mark.parametrize(
    ("make_blocker", "protecting"),
    [
        pytest.param(
            lambda recipe: EventProductionTargetFactory(recipe=recipe),
            ["EventProductionTarget.recipe"],
            id="production target",
        ),
        pytest.param(
            lambda recipe: FinishedUnitFactory(recipe=recipe),
            ["FinishedUnit.recipe"],
            id="finished unit",
        ),
        pytest.param(
            lambda recipe: ProductionRunFactory(finished_unit__recipe=recipe),
            ["FinishedUnit.recipe", "ProductionRun.recipe"],
            id="production run",
        ),
    ],
)
def test_deleting_recipe_is_refused_while_something_uses_it(make_blocker, protecting):
    recipe = RecipeFactory(ingredients=[(IngredientFactory(), 1)])
    blocker = make_blocker(recipe)

    assert_refused(recipe, blocker, *protecting)
    assert RecipeIngredient.objects.filter(recipe=recipe).count() == 1


def test_deleting_recipe_deletes_its_recipe_ingredients_and_keeps_the_ingredients():
    flour, sugar = IngredientFactory(), IngredientFactory()
    recipe = RecipeFactory(ingredients=[(flour, 2), (sugar, 1)])
    other = RecipeFactory(ingredients=[(flour, 3)])

    recipe.delete()

    assert list(Recipe.objects.all()) == [other]
    assert list(RecipeIngredient.objects.values_list("recipe", "ingredient")) == [
        (other.pk, flour.pk)
    ]
    assert set(Ingredient.objects.all()) == {flour, sugar}


def test_deleting_ingredient_is_refused_while_a_recipe_uses_it():
    use = RecipeIngredientFactory()

    assert_refused(use.ingredient, use, "RecipeIngredient.ingredient")


def test_deleting_unused_ingredient_is_allowed():
    ingredient = IngredientFactory()

    ingredient.delete()

    assert not Ingredient.objects.exists()


@pytest.mark.parametrize(
    ("make_blocker", "protecting"),
    [
        pytest.param(
            lambda unit: CompositionFactory(component=unit),
            "Composition.finished_unit",
            id="composition",
        ),
        pytest.param(
            lambda unit: ProductionRunFactory(finished_unit=unit),
            "ProductionRun.finished_unit",
            id="production run",
        ),
    ],
)
def test_deleting_finished_unit_is_refused_while_something_uses_it(make_blocker, protecting):
    unit = FinishedUnitFactory()
    blocker = make_blocker(unit)

    assert_refused(unit, blocker, protecting)


@pytest.mark.parametrize(
    ("make_blocker", "protecting"),
    [
        pytest.param(
            lambda good: EventAssemblyTargetFactory(finished_good=good),
            "EventAssemblyTarget.finished_good",
            id="assembly target",
        ),
        pytest.param(
            lambda good: CompositionFactory(component=good),
            "Composition.finished_good",
            id="composition as component",
        ),
        pytest.param(
            lambda good: PackageFinishedGoodFactory(finished_good=good),
            "PackageFinishedGood.finished_good",
            id="package content",
        ),
        pytest.param(
            lambda good: AssemblyRunFactory(finished_good=good),
            "AssemblyRun.finished_good",
            id="assembly run",
        ),
    ],
)
def test_deleting_finished_good_is_refused_while_something_uses_it(make_blocker, protecting):
    good = FinishedGoodFactory()
    blocker = make_blocker(good)

    assert_refused(good, blocker, protecting)


def test_deleting_assembly_deletes_its_compositions_and_keeps_the_components():
    cookie, inner_box = FinishedUnitFactory(), FinishedGoodFactory()
    tin = FinishedGoodFactory(components=[(cookie, 12), (inner_box, 2)])
    other = FinishedGoodFactory(components=[(cookie, 6)])

    tin.delete()

    assert set(FinishedGood.objects.all()) == {inner_box, other}
    assert list(Composition.objects.values_list("assembly", "finished_unit", "quantity")) == [
        (other.pk, cookie.pk, 6)
    ]
    assert list(FinishedUnit.objects.all()) == [cookie]


def test_deleting_package_deletes_its_contents_and_keeps_the_goods():
    box, tin = FinishedGoodFactory(), FinishedGoodFactory()
    package = PackageFactory(contents=[(box, 1), (tin, 2)])
    other = PackageFactory(contents=[(box, 3)])

    package.delete()

    assert list(Package.objects.all()) == [other]
    assert list(PackageFinishedGood.objects.values_list("package", "finished_good")) == [
        (other.pk, box.pk)
    ]
    assert set(FinishedGood.objects.all()) == {box, tin}


def test_deleting_package_is_refused_while_assigned_to_an_event():
    assignment = EventRecipientPackageFactory(
        package=PackageFactory(contents=[(FinishedGoodFactory(), 1)])
    )

    assert_refused(assignment.package, assignment, "EventRecipientPackage.package")
    assert PackageFinishedGood.objects.filter(package=assignment.package).count() == 1


def test_deleting_recipient_is_refused_while_assigned_a_package():
    assignment = EventRecipientPackageFactory()

    assert_refused(assignment.recipient, assignment, "EventRecipientPackage.recipient")
