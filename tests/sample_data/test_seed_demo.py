from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from bakery.management.commands.seed_demo import ALREADY_SEEDED, seeded_models
from bakery.models import (
    Composition,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    FulfillmentStatus,
    Package,
    YieldMode,
)
from production.models import AssemblyRun, ProductionRun
from tests.helpers import Rollback, snapshot


def seed(**options):
    """Run seed_demo and return what it wrote to stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    call_command("seed_demo", stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def seeded(db):
    """A database filled by seed_demo."""
    seed()


def test_seed_demo_creates_records_of_every_model_and_summarizes_them(db):
    stdout, stderr = seed()

    for model in seeded_models():
        assert model.objects.exists(), model._meta.label
    assert stderr == ""
    assert stdout.startswith(
        "Seeded the demo bakery, 67 records and 35 nested lines: 9 ingredients, 5 recipes, "
    )
    assert stdout.count("\n") == 1
    for model in seeded_models():
        assert f"{model.objects.count()} {model._meta.verbose_name_plural}" in stdout


def test_seed_demo_assigns_packages_in_every_fulfillment_status(seeded):
    statuses = set(EventRecipientPackage.objects.values_list("fulfillment_status", flat=True))
    assert statuses == set(FulfillmentStatus.values)
    assert Package.objects.filter(is_template=True).count() == 1


def test_seed_demo_records_standalone_and_event_runs(seeded):
    for model in (ProductionRun, AssemblyRun):
        assert model.objects.filter(event__isnull=True).exists()
        assert model.objects.filter(event__isnull=False).exists()
    run = ProductionRun.objects.get(event__name="Christmas 2025", actual_yield=94)
    assert str(run.per_unit_cost) == "0.1330"
    assert run.produced_at.tzinfo is not None


def test_seed_demo_nests_gift_boxes_in_the_gift_tin(seeded):
    tin = FinishedGood.objects.get(name="Holiday Gift Tin")
    components = {(c.component.name, c.quantity) for c in Composition.objects.filter(assembly=tin)}
    assert components == {("Cookie Gift Box", 2), ("Fruitcake Quarter", 1)}
    assert FinishedGood.objects.get(name="Cookie Gift Box").pk in tin.contained_goods()


def test_seed_demo_yields_in_both_modes(seeded):
    cookie = FinishedUnit.objects.get(name="Chocolate Chip Cookie")
    quarter = FinishedUnit.objects.get(name="Fruitcake Quarter")
    assert (cookie.yield_mode, cookie.items_per_batch) == (YieldMode.DISCRETE_COUNT, 48)
    assert (quarter.yield_mode, str(quarter.batch_percentage)) == (
        YieldMode.BATCH_PORTION,
        "25.0000",
    )


def test_seed_demo_records_pass_full_clean(seeded):
    for model in seeded_models():
        for record in model.objects.all():
            record.full_clean()


def test_seed_demo_twice_changes_nothing_and_says_so(seeded):
    before = snapshot()

    stdout, stderr = seed()

    assert snapshot() == before
    assert stdout == ""
    assert stderr == ALREADY_SEEDED + "\n"


def test_seed_demo_skips_a_database_with_any_bakery_record(db):
    Package.objects.create(name="Someone's package")

    stdout, stderr = seed()

    assert Package.objects.count() == 1
    assert stderr == ALREADY_SEEDED + "\n"


def test_seed_demo_at_verbosity_zero_says_nothing(db):
    assert seed(verbosity=0) == ("", "")
    assert seed(verbosity=0) == ("", "")


def test_seed_demo_makes_the_same_runs_in_every_database(db):
    with pytest.raises(Rollback), transaction.atomic():
        seed()
        first = set(ProductionRun.objects.values_list("uuid", flat=True))
        first |= set(AssemblyRun.objects.values_list("uuid", flat=True))
        raise Rollback

    stdout, _ = seed()

    assert stdout.startswith("Seeded the demo bakery")
    again = set(ProductionRun.objects.values_list("uuid", flat=True))
    again |= set(AssemblyRun.objects.values_list("uuid", flat=True))
    assert again == first
    assert len(again) == ProductionRun.objects.count() + AssemblyRun.objects.count()
