"""Natural keys of every model, and Django's own dumpdata/loaddata round trip through them."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from bakery.models import Composition
from production.models import AssemblyRun, ProductionRun
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
    ProductionRunFactory,
    RecipeFactory,
    RecipientFactory,
)
from tests.helpers import MODELS, empty_database, snapshot

APPS = ("bakery", "production")
FORMATS = ("json", "xml")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_get_by_natural_key_finds_the_row_of_each_natural_key(bakery, model):
    rows = list(model.objects.all())

    assert rows
    for row in rows:
        assert model.objects.get_by_natural_key(*row.natural_key()) == row


def test_both_apps_hold_the_fifteen_models_of_the_domain():
    assert sorted(model.__name__ for model in MODELS) == [
        "AssemblyRun",
        "Composition",
        "Event",
        "EventAssemblyTarget",
        "EventProductionTarget",
        "EventRecipientPackage",
        "FinishedGood",
        "FinishedUnit",
        "Ingredient",
        "Package",
        "PackageFinishedGood",
        "ProductionRun",
        "Recipe",
        "RecipeIngredient",
        "Recipient",
    ]


@pytest.mark.django_db
def test_composition_natural_keys_tell_a_unit_from_a_good_of_the_same_name():
    box = FinishedGoodFactory(name="Cookie Box")
    of_unit = CompositionFactory(assembly=box, component=FinishedUnitFactory(name="Cookie"))
    of_good = CompositionFactory(assembly=box, component=FinishedGoodFactory(name="Cookie"))

    assert of_unit.natural_key() == ("Cookie Box", "Cookie", None)
    assert of_good.natural_key() == ("Cookie Box", None, "Cookie")
    assert Composition.objects.get_by_natural_key("Cookie Box", "Cookie", None) == of_unit
    assert Composition.objects.get_by_natural_key("Cookie Box", None, "Cookie") == of_good


@pytest.mark.django_db
def test_run_natural_key_is_its_uuid_as_text():
    run = ProductionRunFactory()

    assert run.natural_key() == (str(run.uuid),)
    assert ProductionRun.objects.get_by_natural_key(str(run.uuid)) == run


def add_awkward_records():
    """Add records with unicode, quotes, backslashes, nulls and four-place decimals."""
    creme = IngredientFactory(name='Crème fraîche "Isigny"', notes="Line one\nline 'two'")
    brulee = RecipeFactory(
        name='Crème brûlée "Deluxe"',
        yield_quantity=Decimal("0.1330"),
        estimated_time_minutes=None,
        source="Grand-mère's book \\ page 12",
        ingredients=[(creme, Decimal("0.1330"))],
    )
    ramekin = FinishedUnitFactory(
        name="Ramekin — ½ batch", recipe=brulee, portion=True, batch_percentage=Decimal("33.3333")
    )
    box = FinishedGoodFactory(name="Boîte « douceurs » 🎄", components=[(ramekin, 2)])
    package = PackageFactory(name='Paquet "Noël"', contents=[(box, 1)])
    event = EventFactory(name="Noël 2025 ✨", event_date=datetime.date(2025, 12, 24))
    EventRecipientPackageFactory(
        event=event,
        recipient=RecipientFactory(name="Zoë O'Brien"),
        package=package,
        delivered_to="Zoë's neighbour",
    )
    EventProductionTargetFactory(event=event, recipe=brulee)
    EventAssemblyTargetFactory(event=event, finished_good=box)
    ProductionRunFactory(event=event, finished_unit=ramekin, per_unit_cost=Decimal("0.1330"))
    ProductionRunFactory(standalone=True, finished_unit=ramekin, notes='"quoted" & <tagged>')
    AssemblyRunFactory(standalone=True, finished_good=box, per_unit_cost=Decimal("0.0001"))


def dump(path, fmt):
    """Dump both apps with natural keys to the file, the way a user would."""
    call_command(
        "dumpdata",
        *APPS,
        format=fmt,
        natural_foreign=True,
        natural_primary=True,
        output=str(path),
        verbosity=0,
    )


def whole_milliseconds(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@pytest.mark.parametrize("fmt", FORMATS)
def test_dumpdata_then_loaddata_with_natural_keys_restores_every_row_and_field(
    bakery, tmp_path, fmt
):
    add_awkward_records()
    # JSON carries datetimes to the millisecond only (see the test below), so the run times
    # are made whole milliseconds to let one exact comparison serve both formats.
    for run in ProductionRun.objects.all():
        ProductionRun.objects.filter(pk=run.pk).update(
            produced_at=whole_milliseconds(run.produced_at)
        )
    for run in AssemblyRun.objects.all():
        AssemblyRun.objects.filter(pk=run.pk).update(
            assembled_at=whole_milliseconds(run.assembled_at)
        )
    before = snapshot(ids=False)
    path = tmp_path / f"bakery.{fmt}"
    dump(path, fmt)

    empty_database()
    assert all(not rows for rows in snapshot(ids=False).values())
    call_command("loaddata", str(path), verbosity=0)

    assert snapshot(ids=False) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "microsecond"), [pytest.param("json", 123000), pytest.param("xml", 123456)]
)
def test_dumpdata_keeps_run_times_to_the_microsecond_in_xml_but_only_milliseconds_in_json(
    tmp_path, fmt, microsecond
):
    produced_at = datetime.datetime(2025, 12, 20, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    run = ProductionRunFactory(produced_at=produced_at)
    path = tmp_path / f"runs.{fmt}"
    dump(path, fmt)
    empty_database()

    call_command("loaddata", str(path), verbosity=0)

    restored = ProductionRun.objects.get_by_natural_key(str(run.uuid)).produced_at
    assert restored == produced_at.replace(microsecond=microsecond)
