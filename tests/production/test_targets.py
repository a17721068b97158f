import pytest
from django.core.exceptions import ValidationError

from production.models import EventAssemblyTarget, EventProductionTarget
from production.services import (
    delete_assembly_target,
    delete_production_target,
    set_assembly_target,
    set_production_target,
)
from tests.factories import (
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    FinishedGoodFactory,
    RecipeFactory,
)

pytestmark = pytest.mark.django_db


def test_set_production_target_creates_the_target():
    event, recipe = EventFactory(), RecipeFactory()

    target = set_production_target(event, recipe, 4, notes="Two trays each")

    stored = EventProductionTarget.objects.get()
    assert stored.pk == target.pk
    assert (stored.event, stored.recipe, stored.target_batches, stored.notes) == (
        event,
        recipe,
        4,
        "Two trays each",
    )


def test_set_production_target_twice_updates_instead_of_duplicating():
    event, recipe = EventFactory(), RecipeFactory()
    first = set_production_target(event, recipe, 4, notes="First plan")

    second = set_production_target(event, recipe, 6, notes="More guests")

    stored = EventProductionTarget.objects.get()
    assert stored.pk == first.pk == second.pk
    assert (stored.target_batches, stored.notes) == (6, "More guests")


def test_set_production_target_keeps_one_target_per_event_and_recipe():
    recipe = RecipeFactory()
    christmas, easter = EventFactory(), EventFactory()

    set_production_target(christmas, recipe, 4)
    set_production_target(easter, recipe, 2)

    assert dict(EventProductionTarget.objects.values_list("event__name", "target_batches")) == {
        christmas.name: 4,
        easter.name: 2,
    }


@pytest.mark.parametrize("batches", [0, -1])
def test_set_production_target_refuses_less_than_one_batch(batches):
    event, recipe = EventFactory(), RecipeFactory()

    with pytest.raises(ValidationError) as excinfo:
        set_production_target(event, recipe, batches)

    assert excinfo.value.message_dict == {
        "target_batches": ["Ensure this value is greater than or equal to 1."]
    }
    assert not EventProductionTarget.objects.exists()


def test_set_production_target_refusal_leaves_the_existing_target_unchanged():
    target = EventProductionTargetFactory(target_batches=4)

    with pytest.raises(ValidationError):
        set_production_target(target.event, target.recipe, 0)

    target.refresh_from_db()
    assert target.target_batches == 4


def test_delete_production_target_removes_it_and_reports_it_existed():
    target = EventProductionTargetFactory()

    assert delete_production_target(target.event, target.recipe) is True

    assert not EventProductionTarget.objects.exists()


def test_delete_production_target_reports_when_there_was_none():
    assert delete_production_target(EventFactory(), RecipeFactory()) is False


def test_delete_production_target_leaves_other_events_and_recipes_alone():
    target = EventProductionTargetFactory()
    same_recipe_other_event = EventProductionTargetFactory(recipe=target.recipe)
    same_event_other_recipe = EventProductionTargetFactory(event=target.event)

    delete_production_target(target.event, target.recipe)

    assert set(EventProductionTarget.objects.all()) == {
        same_recipe_other_event,
        same_event_other_recipe,
    }


def test_set_assembly_target_creates_the_target():
    event, good = EventFactory(), FinishedGoodFactory()

    target = set_assembly_target(event, good, 10, notes="One per neighbour")

    stored = EventAssemblyTarget.objects.get()
    assert stored.pk == target.pk
    assert (stored.event, stored.finished_good, stored.target_quantity, stored.notes) == (
        event,
        good,
        10,
        "One per neighbour",
    )


def test_set_assembly_target_twice_updates_instead_of_duplicating():
    event, good = EventFactory(), FinishedGoodFactory()
    first = set_assembly_target(event, good, 10)

    second = set_assembly_target(event, good, 12, notes="Two more")

    stored = EventAssemblyTarget.objects.get()
    assert stored.pk == first.pk == second.pk
    assert (stored.target_quantity, stored.notes) == (12, "Two more")


def test_set_assembly_target_refuses_a_quantity_below_one():
    event, good = EventFactory(), FinishedGoodFactory()

    with pytest.raises(ValidationError) as excinfo:
        set_assembly_target(event, good, 0)

    assert excinfo.value.message_dict == {
        "target_quantity": ["Ensure this value is greater than or equal to 1."]
    }
    assert not EventAssemblyTarget.objects.exists()


def test_delete_assembly_target_removes_it_and_reports_it_existed():
    target = EventAssemblyTargetFactory()
    other = EventAssemblyTargetFactory(finished_good=target.finished_good)

    assert delete_assembly_target(target.event, target.finished_good) is True

    assert list(EventAssemblyTarget.objects.all()) == [other]


def test_delete_assembly_target_reports_when_there_was_none():
    assert delete_assembly_target(EventFactory(), FinishedGoodFactory()) is False
