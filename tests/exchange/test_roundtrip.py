"""Export, empty the database, import, export again: the same document and the same rows."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

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
from exchange.schema import SECTIONS
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.factories import (
    AssemblyRunFactory,
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
    build_bakery,
)

MODELS = [
    model for label in ("bakery", "production") for model in apps.get_app_config(label).get_models()
]
# Children before parents, so that no PROTECT reference stops a delete.
DELETE_ORDER = (
    AssemblyRun,
    ProductionRun,
    EventAssemblyTarget,
    EventProductionTarget,
    EventRecipientPackage,
    PackageFinishedGood,
    Composition,
    RecipeIngredient,
    Event,
    Recipient,
    Package,
    FinishedGood,
    FinishedUnit,
    Recipe,
    Ingredient,
)
EASTERN = datetime.timezone(datetime.timedelta(hours=-5))
INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
CHATHAM = datetime.timezone(datetime.timedelta(hours=12, minutes=45))
LARGEST = Decimal("99999999.9999")
INT_MAX = 2**31 - 1
# build_bakery() makes 47 rows; rich_bakery() adds 42: rows and document records alike.
ROUND_TRIP_RECORDS = 89


def _value(row, field):
    if field.is_relation:
        related = getattr(row, field.name)
        return None if related is None else related.natural_key()
    return getattr(row, field.attname)


def snapshot_database() -> dict:
    """Return every bakery and production row as its field values, references by natural key."""
    snapshot = {}
    for model in MODELS:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        relations = [f.name for f in fields if f.is_relation]
        rows = model._default_manager.select_related(*relations)
        snapshot[model.__name__] = sorted(
            (tuple((f.name, _value(row, f)) for f in fields) for row in rows), key=repr
        )
    return snapshot


def row_count() -> int:
    return sum(model._default_manager.count() for model in MODELS)


def empty_database():
    """Delete every bakery and production row with the ORM, children first."""
    for model in DELETE_ORDER:
        model._default_manager.all().delete()
    assert row_count() == 0


def export_text(*args) -> str:
    """Run export_bakery to standard output and return the document's text."""
    out = StringIO()
    call_command("export_bakery", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_document(*args) -> dict:
    return json.loads(export_text(*args))


def import_file(path, *args) -> tuple[str, str]:
    """Run import_bakery and return what it wrote to stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command("import_bakery", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def without_exported_at(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def document_records(document: dict) -> int:
    """Count the records of a document, nested ones included."""
    total = 0
    for section in SECTIONS:
        for record in document[section.key]:
            total += 1 + (len(record[section.nested.key]) if section.nested else 0)
    return total


def rich_bakery():
    """Add to build_bakery() names with unicode and quotes, nulls, limits and odd offsets."""
    b = build_bakery()
    cream = IngredientFactory(name="Crème fraîche", category="", recipe_unit="", notes="")
    spice = IngredientFactory(name="Grandma's Lebkuchen spice", notes='The "secret" one\n2 tsp')
    sprinkles = IngredientFactory(name="Sprinkles 🌈✨", category="Décor", recipe_unit="g")
    long_name = IngredientFactory(name="é" * 200, notes="a name at the length limit")
    brulee = RecipeFactory(
        name='Crème brûlée "Deluxe"',
        category="",
        yield_quantity=LARGEST,
        yield_unit="",
        source="",
        estimated_time_minutes=None,
        notes="",
        ingredients=[(cream, Decimal("0.1330")), (sprinkles, LARGEST)],
    )
    lebkuchen = RecipeFactory(
        name="Grandma's Lebkuchen",
        yield_quantity=Decimal("0.0000"),
        source='Oma\'s "Backbuch", p. 12',
        estimated_time_minutes=0,
        notes="Rest the dough overnight.\nBake at 180 °C.",
        ingredients=[(spice, Decimal("0.0001")), (long_name, Decimal("12.5000"))],
    )
    RecipeIngredient.objects.filter(recipe=lebkuchen, ingredient=spice).update(
        unit="", notes="ground, not whole 🌰"
    )
    ramekin = FinishedUnitFactory(
        name="Brûlée ramekin 🍮",
        recipe=brulee,
        items_per_batch=INT_MAX,
        batch_percentage=None,
        item_unit="",
        inventory_count=INT_MAX,
        notes="",
    )
    heart = FinishedUnitFactory(
        name='Lebkuchen heart "XL"',
        recipe=lebkuchen,
        portion=True,
        batch_percentage=Decimal("100.0000"),
        inventory_count=0,
        notes="Ich liebe dich ❤",
    )
    sliver = FinishedUnitFactory(
        name="Lebkuchen sliver", recipe=lebkuchen, portion=True, batch_percentage=Decimal("0.0001")
    )
    sampler = FinishedGoodFactory(
        name="Sampler 🎁",
        description="",
        inventory_count=INT_MAX,
        notes='"Fragile"',
        components=[(ramekin, 2), (heart, 1)],
    )
    tower = FinishedGoodFactory(
        name='Tower "Grand"',
        description="Three levels\nof goods",
        components=[(sampler, 3), (b.finished_goods[1], 1), (sliver, INT_MAX)],
    )
    empty_box = FinishedGoodFactory(name="Empty box", description="")
    Composition.objects.filter(assembly=tower, finished_good=sampler).update(sort_order=INT_MAX)
    template = PackageFactory(
        name="Template: Oma's 🎄 box",
        is_template=True,
        description="",
        notes="Copy me",
        contents=[(tower, INT_MAX), (sampler, 1)],
    )
    bare = PackageFactory(name="Bare package", description="", notes="")
    zoe = RecipientFactory(
        name="Zoë O'Brien-Müller",
        household_name="",
        address='12 "Rue" de l\'Église\n75001 Paris',
        notes="",
    )
    kenji = RecipientFactory(name="健二 🍡", household_name="山田家", address="", notes="日本")
    RecipientFactory(
        name="🍪" * 200,
        household_name="\t padded household \n",
        address="C:\\Users\\oma\\recipes; tab\there",
        notes="line\u2028separator\u2029and nbsp\u00a0 ",
    )
    hanukkah = EventFactory(
        name="Hanukkah 🕎 2025",
        event_date=datetime.date(2025, 12, 14),
        year=2025,
        notes='Eight nights, "eight" boxes',
    )
    leap = EventFactory(name="Leap day", event_date=datetime.date(2028, 2, 29), notes="")
    for recipient, package, status, delivered_to in (
        (zoe, template, FulfillmentStatus.DELIVERED, 'Mrs. "Hudson" next door'),
        (kenji, bare, FulfillmentStatus.READY, ""),
        (b.recipients[0], b.packages[1], FulfillmentStatus.PENDING, ""),
    ):
        EventRecipientPackageFactory(
            event=hanukkah,
            recipient=recipient,
            package=package,
            quantity=INT_MAX if recipient is zoe else 1,
            fulfillment_status=status,
            delivered_to=delivered_to,
            notes="" if recipient is kenji else "Ring twice ☎",
        )
    EventProductionTargetFactory(event=hanukkah, recipe=brulee, target_batches=INT_MAX, notes="")
    EventProductionTargetFactory(event=leap, recipe=lebkuchen, target_batches=1, notes="leap ✓")
    EventAssemblyTargetFactory(event=hanukkah, finished_good=tower, target_quantity=1, notes="")
    EventAssemblyTargetFactory(event=leap, finished_good=empty_box, target_quantity=INT_MAX)
    ProductionRunFactory(
        standalone=True,
        finished_unit=ramekin,
        num_batches=INT_MAX,
        expected_yield=0,
        actual_yield=INT_MAX,
        produced_at=datetime.datetime(2025, 12, 15, 10, 0, 0, 123456, tzinfo=EASTERN),
        total_ingredient_cost=LARGEST,
        per_unit_cost=Decimal("0.1330"),
        notes='Burnt one "a little" 🔥',
    )
    ProductionRunFactory(
        event=hanukkah,
        finished_unit=heart,
        num_batches=1,
        produced_at=datetime.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=INDIA),
        total_ingredient_cost=Decimal("0.0000"),
        per_unit_cost=Decimal("0.0000"),
        notes="",
    )
    ProductionRunFactory(
        event=leap,
        finished_unit=sliver,
        produced_at=datetime.datetime(2028, 2, 29, 0, 0, 0, 1, tzinfo=CHATHAM),
        notes="",
    )
    AssemblyRunFactory(
        standalone=True,
        finished_good=tower,
        quantity_assembled=INT_MAX,
        assembled_at=datetime.datetime(2025, 12, 20, 8, 30, 15, 500000, tzinfo=EASTERN),
        total_component_cost=LARGEST,
        per_unit_cost=Decimal("0.0001"),
        notes="",
    )
    AssemblyRunFactory(
        event=hanukkah,
        finished_good=sampler,
        quantity_assembled=1,
        assembled_at=datetime.datetime(2025, 12, 14, 17, 0, tzinfo=INDIA),
        total_component_cost=Decimal("0.0000"),
        per_unit_cost=Decimal("0.0000"),
        notes="Lit the candles first 🕯",
    )
    return b


@pytest.fixture
def rich(db):
    """A bakery with every model, unicode and quotes, nulls, limits and odd UTC offsets."""
    return rich_bakery()


def test_delete_order_covers_every_model_once():
    assert sorted(m.__name__ for m in DELETE_ORDER) == sorted(m.__name__ for m in MODELS)
    assert len(DELETE_ORDER) == len(set(DELETE_ORDER)) == 15


def test_rich_bakery_holds_every_case_the_round_trip_claims_to_cover(rich):
    assert Recipe.objects.filter(estimated_time_minutes=None).exists()
    assert FinishedUnit.objects.filter(yield_mode="discrete_count", batch_percentage=None).exists()
    assert FinishedUnit.objects.filter(yield_mode="batch_portion", items_per_batch=None).exists()
    assert Package.objects.filter(is_template=True).exists()
    assert Package.objects.filter(contents=None).exists()
    assert FinishedGood.objects.filter(components=None).exists()
    assert ProductionRun.objects.filter(event=None).exists()
    assert ProductionRun.objects.filter(event__isnull=False).exists()
    assert AssemblyRun.objects.filter(event=None).exists()
    assert AssemblyRun.objects.filter(event__isnull=False).exists()
    assert ProductionRun.objects.filter(total_ingredient_cost=LARGEST).exists()
    assert sum(run.produced_at.microsecond != 0 for run in ProductionRun.objects.all()) >= 2
    assert Recipient.objects.filter(name__contains="'").exists()
    assert Recipe.objects.filter(name__contains='"').exists()
    for model in MODELS:
        assert model.objects.exists(), model.__name__
        for row in model.objects.all():
            row.full_clean()


def test_export_import_export_gives_the_same_document_and_the_same_rows(rich, tmp_path):
    first_path, second_path = tmp_path / "first.json", tmp_path / "second.json"
    before = snapshot_database()
    assert row_count() == ROUND_TRIP_RECORDS

    call_command("export_bakery", "-o", str(first_path), stdout=StringIO(), stderr=StringIO())
    empty_database()
    out, err = import_file(first_path)
    after = snapshot_database()
    call_command("export_bakery", "-o", str(second_path), stdout=StringIO(), stderr=StringIO())

    assert after == before
    first_text = first_path.read_text(encoding="utf-8")
    second_text = second_path.read_text(encoding="utf-8")
    first, second = json.loads(first_text), json.loads(second_text)
    assert without_exported_at(second) == without_exported_at(first)
    assert document_records(first) == ROUND_TRIP_RECORDS

    def other_lines(text):
        return [line for line in text.splitlines() if not line.startswith('  "exported_at": ')]

    assert len(other_lines(first_text)) == len(first_text.splitlines()) - 1
    assert other_lines(second_text) == other_lines(first_text)
    assert err == ""
    top_level = sum(len(first[section.key]) for section in SECTIONS)
    assert out.splitlines()[-1].split() == ["total", str(top_level), "0", "0", "0"]


def test_round_trip_keeps_unicode_quotes_limits_and_offsets_in_the_file(rich, tmp_path):
    path = tmp_path / "bakery.json"
    call_command("export_bakery", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)

    assert 'Crème brûlée \\"Deluxe\\"' in text
    assert "🎁" in text and "\\u" not in text
    runs = {r["notes"]: r for r in document["production_runs"]}
    burnt = runs['Burnt one "a little" 🔥']
    assert burnt["produced_at"] == "2025-12-15T15:00:00.123456Z"
    assert burnt["total_ingredient_cost"] == "99999999.9999"
    assert burnt["per_unit_cost"] == "0.1330"
    assert burnt["event_name"] is None
    assert burnt["num_batches"] == INT_MAX
    leap = next(r for r in document["production_runs"] if r["event_name"] == "Leap day")
    assert leap["produced_at"] == "2028-02-28T11:15:00.000001Z"
    brulee = next(r for r in document["recipes"] if r["name"] == 'Crème brûlée "Deluxe"')
    assert brulee["estimated_time_minutes"] is None
    assert brulee["source"] is None and brulee["notes"] is None
    assert [i["quantity"] for i in brulee["ingredients"]] == ["0.1330", "99999999.9999"]


def test_import_refuses_rather_than_renames_names_with_other_blanks_at_their_ends(db, tmp_path):
    # Only validation-bypassing writes can store such names (the models refuse them), and
    # stripping them on import would rename the record between one copy and the next.
    RecipeFactory(name="Stollen\u00a0")
    IngredientFactory(name="Tab\t")
    path = tmp_path / "bakery.json"
    call_command("export_bakery", "-o", str(path), stdout=StringIO(), stderr=StringIO())
    before = snapshot_database()

    with pytest.raises(CommandError) as refused:
        import_file(path)

    assert refused.value.returncode == 1
    assert snapshot_database() == before
