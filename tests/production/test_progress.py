import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bakery.models import FinishedUnit, FulfillmentStatus
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from production.services import (
    AssemblyProgress,
    ProductionProgress,
    event_progress,
    events_by_proximity,
)
from tests.factories import (
    AssemblyRunFactory,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    EventRecipientPackageFactory,
    FinishedGoodFactory,
    FinishedUnitFactory,
    ProductionRunFactory,
    RecipeFactory,
)

pytestmark = pytest.mark.django_db

NO_PACKAGES = {"pending": 0, "ready": 0, "delivered": 0, "total": 0}


def produce(event, recipe, num_batches, actual_yield=None):
    """Record a production run of a recipe for an event (None: standalone)."""
    extra = {} if actual_yield is None else {"actual_yield": actual_yield}
    return ProductionRunFactory(
        event=event, finished_unit__recipe=recipe, num_batches=num_batches, **extra
    )


def the_production(event):
    """Return the event's only production progress line."""
    (line,) = event_progress(event).production
    return line


def the_assembly(event):
    """Return the event's only assembly progress line."""
    (line,) = event_progress(event).assembly
    return line


@pytest.mark.parametrize(
    ("produced", "pct", "complete"),
    [
        (3, Decimal("75.0"), False),
        (4, Decimal("100.0"), True),
        (5, Decimal("125.0"), True),
    ],
    ids=["under", "exactly", "over"],
)
def test_production_progress_against_a_four_batch_target(produced, pct, complete):
    target = EventProductionTargetFactory(target_batches=4)
    produce(target.event, target.recipe, produced, actual_yield=produced * 48)

    assert the_production(target.event) == ProductionProgress(
        recipe_name=target.recipe.name,
        target_batches=4,
        produced_batches=produced,
        produced_yield=produced * 48,
        progress_pct=pct,
        is_complete=complete,
    )


def test_production_progress_sums_every_run_of_the_recipe_for_the_event():
    target = EventProductionTargetFactory(target_batches=4)
    produce(target.event, target.recipe, 1, actual_yield=40)
    produce(target.event, target.recipe, 2, actual_yield=95)

    line = the_production(target.event)

    assert (line.produced_batches, line.produced_yield) == (3, 135)


def test_produced_yield_sums_actual_yield_not_expected_yield():
    target = EventProductionTargetFactory()
    run = produce(target.event, target.recipe, 2, actual_yield=90)
    assert run.expected_yield == 96

    assert the_production(target.event).produced_yield == 90


def test_production_progress_ignores_standalone_runs_and_other_events_runs():
    target = EventProductionTargetFactory(target_batches=4)
    produce(target.event, target.recipe, 1, actual_yield=48)
    produce(None, target.recipe, 5)
    produce(EventFactory(), target.recipe, 7)

    line = the_production(target.event)

    assert (line.produced_batches, line.produced_yield, line.progress_pct) == (
        1,
        48,
        Decimal("25.0"),
    )


def test_production_target_without_runs_is_at_zero():
    target = EventProductionTargetFactory(target_batches=2)

    assert the_production(target.event) == ProductionProgress(
        recipe_name=target.recipe.name,
        target_batches=2,
        produced_batches=0,
        produced_yield=0,
        progress_pct=Decimal("0.0"),
        is_complete=False,
    )


def test_runs_of_a_recipe_without_a_target_add_no_line():
    target = EventProductionTargetFactory()
    produce(target.event, RecipeFactory(), 3)

    assert [p.recipe_name for p in event_progress(target.event).production] == [target.recipe.name]


def test_progress_rounds_to_one_decimal_place():
    target = EventProductionTargetFactory(target_batches=3)
    produce(target.event, target.recipe, 2)

    assert the_production(target.event).progress_pct == Decimal("66.7")


def test_production_lines_are_sorted_by_recipe_name():
    event = EventFactory()
    for name in ["Shortbread", "Biscotti", "Gingerbread"]:
        EventProductionTargetFactory(event=event, recipe=RecipeFactory(name=name))

    assert [p.recipe_name for p in event_progress(event).production] == [
        "Biscotti",
        "Gingerbread",
        "Shortbread",
    ]


@pytest.mark.parametrize(
    ("assembled", "pct", "complete"),
    [
        (7, Decimal("70.0"), False),
        (10, Decimal("100.0"), True),
        (15, Decimal("150.0"), True),
    ],
    ids=["under", "exactly", "over"],
)
def test_assembly_progress_against_a_target_of_ten(assembled, pct, complete):
    target = EventAssemblyTargetFactory(target_quantity=10)
    AssemblyRunFactory(
        event=target.event, finished_good=target.finished_good, quantity_assembled=assembled
    )

    assert the_assembly(target.event) == AssemblyProgress(
        finished_good_name=target.finished_good.name,
        target_quantity=10,
        assembled_quantity=assembled,
        progress_pct=pct,
        is_complete=complete,
    )


def test_assembly_progress_sums_the_events_runs_only():
    target = EventAssemblyTargetFactory(target_quantity=10)
    good = target.finished_good
    AssemblyRunFactory(event=target.event, finished_good=good, quantity_assembled=3)
    AssemblyRunFactory(event=target.event, finished_good=good, quantity_assembled=4)
    AssemblyRunFactory(standalone=True, finished_good=good, quantity_assembled=20)
    AssemblyRunFactory(event=EventFactory(), finished_good=good, quantity_assembled=20)
    AssemblyRunFactory(event=target.event, quantity_assembled=20)

    line = the_assembly(target.event)

    assert (line.assembled_quantity, line.progress_pct, line.is_complete) == (
        7,
        Decimal("70.0"),
        False,
    )


def test_assembly_target_without_runs_is_at_zero():
    target = EventAssemblyTargetFactory(target_quantity=10)

    line = the_assembly(target.event)

    assert (line.assembled_quantity, line.progress_pct, line.is_complete) == (
        0,
        Decimal("0.0"),
        False,
    )


def test_event_without_targets_has_empty_lists_but_counts_its_packages():
    event = EventFactory()
    produce(event, RecipeFactory(), 2)
    AssemblyRunFactory(event=event)
    EventRecipientPackageFactory(event=event, fulfillment_status=FulfillmentStatus.READY)

    progress = event_progress(event)

    assert progress.production == []
    assert progress.assembly == []
    assert progress.packages == {"pending": 0, "ready": 1, "delivered": 0, "total": 1}
    assert (progress.targets_complete, progress.targets_total) == (0, 0)


def test_package_counts_per_status_cover_only_the_event():
    event = EventFactory()
    for status, count in [("pending", 3), ("ready", 1), ("delivered", 2)]:
        EventRecipientPackageFactory.create_batch(count, event=event, fulfillment_status=status)
    EventRecipientPackageFactory(fulfillment_status=FulfillmentStatus.PENDING)

    assert event_progress(event).packages == {
        "pending": 3,
        "ready": 1,
        "delivered": 2,
        "total": 6,
    }


def test_event_without_packages_counts_zero_of_each():
    assert event_progress(EventFactory()).packages == NO_PACKAGES


def test_targets_complete_counts_production_and_assembly_targets():
    event = EventFactory()
    done = EventProductionTargetFactory(event=event, target_batches=2)
    produce(event, done.recipe, 2)
    EventProductionTargetFactory(event=event, target_batches=2)
    box = EventAssemblyTargetFactory(event=event, target_quantity=3)
    AssemblyRunFactory(event=event, finished_good=box.finished_good, quantity_assembled=5)

    progress = event_progress(event)

    assert (progress.targets_complete, progress.targets_total) == (2, 3)


def test_as_dict_gives_json_ready_data_with_numeric_percentages():
    event = EventFactory(name="Christmas 2025")
    cookies = EventProductionTargetFactory(
        event=event, recipe=RecipeFactory(name="Chocolate Chip Cookies"), target_batches=4
    )
    produce(event, cookies.recipe, 3, actual_yield=140)
    box = EventAssemblyTargetFactory(
        event=event, finished_good=FinishedGoodFactory(name="Cookie Gift Box"), target_quantity=10
    )
    AssemblyRunFactory(event=event, finished_good=box.finished_good, quantity_assembled=7)
    EventRecipientPackageFactory(event=event, fulfillment_status=FulfillmentStatus.DELIVERED)

    assert event_progress(event).as_dict() == {
        "event": "Christmas 2025",
        "production": [
            {
                "recipe_name": "Chocolate Chip Cookies",
                "target_batches": 4,
                "produced_batches": 3,
                "produced_yield": 140,
                "progress_pct": 75.0,
                "is_complete": False,
            }
        ],
        "assembly": [
            {
                "finished_good_name": "Cookie Gift Box",
                "target_quantity": 10,
                "assembled_quantity": 7,
                "progress_pct": 70.0,
                "is_complete": False,
            }
        ],
        "packages": {"pending": 0, "ready": 0, "delivered": 1, "total": 1},
    }


def test_events_by_proximity_lists_upcoming_nearest_first_then_past_latest_first():
    today = timezone.localdate()

    def on(days, name):
        return EventFactory(name=name, event_date=today + datetime.timedelta(days=days))

    last_year, last_month = on(-365, "Last year"), on(-30, "Last month")
    soon, today_event, later = on(10, "Soon"), on(0, "Today"), on(90, "Later")

    assert events_by_proximity(today) == [today_event, soon, later, last_month, last_year]


def build_event_with_targets(count):
    """Build an event with count production and count assembly targets, each with a run."""
    event = EventFactory()
    recipes = RecipeFactory.create_batch(count)
    goods = FinishedGoodFactory.create_batch(count)
    # Factory-built values inserted in bulk keep the 1,000-target case near a second.
    EventProductionTarget.objects.bulk_create(
        EventProductionTargetFactory.build(event=event, recipe=recipe, target_batches=2)
        for recipe in recipes
    )
    EventAssemblyTarget.objects.bulk_create(
        EventAssemblyTargetFactory.build(event=event, finished_good=good, target_quantity=2)
        for good in goods
    )
    units = FinishedUnit.objects.bulk_create(
        FinishedUnitFactory.build(recipe=recipe) for recipe in recipes
    )
    ProductionRun.objects.bulk_create(
        ProductionRunFactory.build(event=event, finished_unit=unit, num_batches=3) for unit in units
    )
    AssemblyRun.objects.bulk_create(
        AssemblyRunFactory.build(event=event, finished_good=good, quantity_assembled=1)
        for good in goods
    )
    EventRecipientPackageFactory.create_batch(3, event=event)
    return event


@pytest.mark.parametrize("count", [10, 1000])
def test_event_progress_takes_five_queries_whatever_the_number_of_targets(
    count, django_assert_num_queries
):
    event = build_event_with_targets(count)

    with django_assert_num_queries(5):
        progress = event_progress(event)

    assert len(progress.production) == len(progress.assembly) == count
    assert all(p.produced_batches == 3 and p.is_complete for p in progress.production)
    assert all(a.assembled_quantity == 1 and not a.is_complete for a in progress.assembly)
    assert progress.packages["total"] == 3
