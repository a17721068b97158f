"""Property: any valid bakery survives export → empty database → import → export unchanged.

Hypothesis builds arbitrary valid bakeries: names of any unicode within the model limits,
blank and null values, numbers and decimals at the limits of their fields, datetimes in any
UTC offset with microseconds, both yield modes, goods nested in goods, runs standalone and
for events. Each example runs in a savepoint rolled back afterwards.
"""

import datetime
import json
import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from bakery.models import FulfillmentStatus, YieldMode
from bakery.names import name_fault, normalize_name
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
    RecipientFactory,
)
from tests.helpers import (
    database_examples,
    document_records,
    empty_database,
    export_document,
    minimal_document,
    row_count,
    run_import,
    snapshot,
    without_exported_at,
    write_document,
)

# Hypothesis makes hundreds of bakeries: -m "not slow" leaves these tests out.
pytestmark = pytest.mark.slow

# Examples per run; BAKERY_PROPERTY_EXAMPLES raises it for a longer hunt.
PROPERTY_EXAMPLES = int(os.environ.get("BAKERY_PROPERTY_EXAMPLES", "250"))
PROPERTY = database_examples("bakery-property", PROPERTY_EXAMPLES)

INT_MAX = 2**31 - 1
SMALLEST, LARGEST = Decimal("0.0001"), Decimal("99999999.9999")
# Any character a database stores: not a lone surrogate, not NUL (PostgreSQL refuses it).
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
# A name as the models store it (bakery/names.py): in NFC, stripped, not empty, without
# control characters or invisible ends, at most 200 characters.
NAME_CHARACTERS = st.characters(exclude_categories=("Cs", "Cc"))
NAMES = (
    st.one_of(
        st.text(NAME_CHARACTERS, min_size=1, max_size=20),
        st.text(NAME_CHARACTERS, min_size=195, max_size=200),
    )
    .map(normalize_name)
    .filter(lambda name: name and name_fault(name) is None and len(name) <= 200)
)


def text(max_size: int | None = None):
    """Any text up to a length, blank included (exported as null, imported as blank)."""
    return st.one_of(st.just(""), st.text(CHARACTERS, max_size=max_size or 40))


def whole(low: int):
    """A whole number of a field from low, its limits often."""
    return st.one_of(st.sampled_from([low, INT_MAX]), st.integers(low, INT_MAX))


def decimal(low: Decimal, high: Decimal = LARGEST):
    """A decimal of a field (12 digits, 4 places) from low to high, its limits often."""
    limits = sorted({d for d in (low, SMALLEST, high) if low <= d <= high})
    return st.one_of(
        st.sampled_from(limits),
        st.decimals(low, high, places=4, allow_nan=False, allow_infinity=False),
    )


def offsets(hours: int):
    """Any UTC offset to the minute, less than the hours given."""
    return st.integers(-(hours * 60 - 1), hours * 60 - 1).map(
        lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
    )


def moments(hours: int):
    """Any datetime with microseconds, in any offset less than the hours given."""
    return st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=offsets(hours),
    )


# Django hands PostgreSQL a datetime with its offset, and PostgreSQL takes up to 15:59; a
# file may hold any offset below 24 hours (the last test).
MOMENTS = moments(16)


def names(max_size: int):
    return st.lists(NAMES, max_size=max_size, unique=True)


def subset(items, max_size: int | None = None):
    """A list of distinct items drawn from a list."""
    if not items:
        return st.just([])
    return st.lists(st.sampled_from(items), unique=True, max_size=max_size or len(items))


def some(items, max_size: int):
    """A list of items drawn from a list, repeats allowed."""
    return st.lists(st.sampled_from(items), max_size=max_size) if items else st.just([])


@st.composite
def bakeries(draw) -> dict:
    """Return the records of a valid bakery as plain values, references as list positions."""
    b = {}
    b["ingredients"] = [
        dict(name=n, category=draw(text(100)), recipe_unit=draw(text(50)), notes=draw(text()))
        for n in draw(names(4))
    ]
    b["recipes"] = [
        dict(
            name=n,
            category=draw(text(100)),
            yield_quantity=draw(decimal(Decimal(0))),
            yield_unit=draw(text(50)),
            source=draw(text(200)),
            estimated_time_minutes=draw(st.none() | whole(0)),
            notes=draw(text()),
            lines=[
                dict(ingredient=i, quantity=draw(decimal(SMALLEST)), unit=draw(text(50)))
                | {"notes": draw(text())}
                for i in draw(subset(range(len(b["ingredients"]))))
            ],
        )
        for n in draw(names(3))
    ]
    b["units"] = []
    if b["recipes"]:
        for n in draw(names(4)):
            mode = draw(st.sampled_from(YieldMode.values))
            count, percentage = st.none() | whole(1), st.none() | decimal(SMALLEST, Decimal(100))
            b["units"].append(
                dict(
                    name=n,
                    recipe=draw(st.integers(0, len(b["recipes"]) - 1)),
                    yield_mode=mode,
                    items_per_batch=draw(whole(1) if mode == YieldMode.DISCRETE_COUNT else count),
                    item_unit=draw(text(50)),
                    batch_percentage=draw(
                        decimal(SMALLEST, Decimal(100))
                        if mode == YieldMode.BATCH_PORTION
                        else percentage
                    ),
                    inventory_count=draw(whole(0)),
                    notes=draw(text()),
                )
            )
    # A good holds units and goods made before it: nested goods, never a cycle.
    b["goods"] = []
    for position, n in enumerate(draw(names(4))):
        parts = [("unit", u) for u in range(len(b["units"]))]
        parts += [("good", g) for g in range(position)]
        b["goods"].append(
            dict(
                name=n,
                description=draw(text()),
                inventory_count=draw(whole(0)),
                notes=draw(text()),
                components=[
                    (part, draw(whole(1)), draw(whole(0))) for part in draw(subset(parts, 4))
                ],
            )
        )
    goods = range(len(b["goods"]))
    b["packages"] = [
        dict(
            name=n,
            is_template=draw(st.booleans()),
            description=draw(text()),
            notes=draw(text()),
            contents=[(g, draw(whole(1))) for g in draw(subset(goods, 3))],
        )
        for n in draw(names(3))
    ]
    b["recipients"] = [
        dict(name=n, household_name=draw(text(200)), address=draw(text()), notes=draw(text()))
        for n in draw(names(3))
    ]
    b["events"] = [
        dict(name=n, event_date=draw(st.dates()), year=draw(whole(1)), notes=draw(text()))
        for n in draw(names(3))
    ]
    events = range(len(b["events"]))
    recipients, packages = range(len(b["recipients"])), range(len(b["packages"]))
    triples = [(e, r, p) for e in events for r in recipients for p in packages]
    b["assignments"] = [
        dict(
            triple=triple,
            quantity=draw(whole(1)),
            fulfillment_status=draw(st.sampled_from(FulfillmentStatus.values)),
            delivered_to=draw(text(200)),
            notes=draw(text()),
        )
        for triple in draw(subset(triples, 4))
    ]
    pairs = [(e, r) for e in events for r in range(len(b["recipes"]))]
    b["production_targets"] = [
        (pair, draw(whole(1)), draw(text())) for pair in draw(subset(pairs, 3))
    ]
    pairs = [(e, g) for e in events for g in goods]
    b["assembly_targets"] = [
        (pair, draw(whole(1)), draw(text())) for pair in draw(subset(pairs, 3))
    ]
    event = st.none() | st.sampled_from(list(events)) if events else st.none()
    run_uuids = iter(draw(st.lists(st.uuids(), min_size=8, max_size=8, unique=True)))
    b["production_runs"] = [
        dict(
            uuid=next(run_uuids),
            unit=unit,
            event=draw(event),
            num_batches=draw(whole(1)),
            expected_yield=draw(whole(0)),
            actual_yield=draw(whole(0)),
            produced_at=draw(MOMENTS),
            total_ingredient_cost=draw(decimal(Decimal(0))),
            per_unit_cost=draw(decimal(Decimal(0))),
            notes=draw(text()),
        )
        for unit in draw(some(range(len(b["units"])), 4))
    ]
    b["assembly_runs"] = [
        dict(
            uuid=next(run_uuids),
            good=good,
            event=draw(event),
            quantity_assembled=draw(whole(1)),
            assembled_at=draw(MOMENTS),
            total_component_cost=draw(decimal(Decimal(0))),
            per_unit_cost=draw(decimal(Decimal(0))),
            notes=draw(text()),
        )
        for good in draw(some(goods, 4))
    ]
    return b


def build(b: dict) -> list:
    """Write a bakery's records to the database; return them, to be validated."""
    made = []

    def add(row):
        made.append(row)
        return row

    def fields(values, *others):
        return {k: v for k, v in values.items() if k not in others}

    ingredients = [add(IngredientFactory(**values)) for values in b["ingredients"]]
    recipes = []
    for values in b["recipes"]:
        recipe = add(RecipeFactory(**fields(values, "lines")))
        recipes.append(recipe)
        for line in values["lines"]:
            ingredient = ingredients[line["ingredient"]]
            add(
                RecipeIngredientFactory(
                    recipe=recipe, ingredient=ingredient, **fields(line, "ingredient")
                )
            )
    units = [
        add(FinishedUnitFactory(**values | {"recipe": recipes[values["recipe"]]}))
        for values in b["units"]
    ]
    goods = []
    for values in b["goods"]:
        good = add(FinishedGoodFactory(**fields(values, "components")))
        goods.append(good)
        for (kind, position), quantity, sort_order in values["components"]:
            part = units[position] if kind == "unit" else goods[position]
            add(
                CompositionFactory(
                    assembly=good, component=part, quantity=quantity, sort_order=sort_order
                )
            )
    packages = []
    for values in b["packages"]:
        package = add(PackageFactory(**fields(values, "contents")))
        packages.append(package)
        for good, quantity in values["contents"]:
            good = goods[good]
            add(PackageFinishedGoodFactory(package=package, finished_good=good, quantity=quantity))
    recipients = [add(RecipientFactory(**values)) for values in b["recipients"]]
    events = [add(EventFactory(**values)) for values in b["events"]]
    for values in b["assignments"]:
        e, r, p = values["triple"]
        add(
            EventRecipientPackageFactory(
                event=events[e],
                recipient=recipients[r],
                package=packages[p],
                **fields(values, "triple"),
            )
        )
    for (e, r), target, notes in b["production_targets"]:
        add(
            EventProductionTargetFactory(
                event=events[e], recipe=recipes[r], target_batches=target, notes=notes
            )
        )
    for (e, g), target, notes in b["assembly_targets"]:
        add(
            EventAssemblyTargetFactory(
                event=events[e], finished_good=goods[g], target_quantity=target, notes=notes
            )
        )
    for values in b["production_runs"]:
        unit, event = units[values["unit"]], values["event"]
        add(
            ProductionRunFactory(
                finished_unit=unit,
                recipe=unit.recipe,
                event=None if event is None else events[event],
                **fields(values, "unit", "event"),
            )
        )
    for values in b["assembly_runs"]:
        event = values["event"]
        add(
            AssemblyRunFactory(
                finished_good=goods[values["good"]],
                event=None if event is None else events[event],
                **fields(values, "good", "event"),
            )
        )
    return made


@PROPERTY
@given(bakery=bakeries())
def test_export_import_export_of_any_valid_bakery_is_the_identity(db, tmp_path, bakery):
    with transaction.atomic():
        for row in build(bakery):
            # The strategy makes valid bakeries only: every model rule holds.
            row.full_clean()
        before = snapshot(ids=False)
        path = tmp_path / "bakery.json"
        call_command("export_bakery", "-o", str(path), stdout=StringIO(), stderr=StringIO())
        first = json.loads(path.read_text(encoding="utf-8"))
        assert document_records(first) == row_count()

        empty_database()
        out, err = StringIO(), StringIO()
        call_command("import_bakery", str(path), stdout=out, stderr=err)
        assert err.getvalue() == ""
        assert snapshot(ids=False) == before
        second = export_document()
        assert without_exported_at(second) == without_exported_at(first)
        transaction.set_rollback(True)


CASES = {
    "a name of 200 characters": lambda b: any(len(i["name"]) == 200 for i in b["ingredients"]),
    "a name beyond ASCII": lambda b: any(not r["name"].isascii() for r in b["recipients"]),
    "a name with inner blanks": lambda b: any(" " in e["name"] for e in b["events"]),
    "blank text": lambda b: any(i["notes"] == "" for i in b["ingredients"]),
    "the largest decimal": lambda b: any(r["yield_quantity"] == LARGEST for r in b["recipes"]),
    "the smallest decimal": lambda b: any(
        line["quantity"] == SMALLEST for r in b["recipes"] for line in r["lines"]
    ),
    "the largest whole number": lambda b: any(u["inventory_count"] == INT_MAX for u in b["units"]),
    "a null number": lambda b: any(r["estimated_time_minutes"] is None for r in b["recipes"]),
    "both yield modes": lambda b: {u["yield_mode"] for u in b["units"]} == set(YieldMode.values),
    "a good in a good": lambda b: any(
        kind == "good" for g in b["goods"] for (kind, _), _, _ in g["components"]
    ),
    "a standalone run and an event's": lambda b: (
        {r["event"] is None for r in b["production_runs"]} == {True, False}
    ),
    "a datetime off UTC with microseconds": lambda b: any(
        r["assembled_at"].utcoffset() and r["assembled_at"].microsecond for r in b["assembly_runs"]
    ),
}


def test_the_strategy_makes_every_case_it_claims():
    seen = set()

    @settings(max_examples=300, phases=[Phase.generate], database=None)
    @given(bakery=bakeries())
    def generate(bakery):
        seen.update(case for case, holds in CASES.items() if holds(bakery))

    generate()
    assert sorted(set(CASES) - seen) == []


@settings(PROPERTY, max_examples=max(PROPERTY_EXAMPLES // 2, 1))
@given(produced_at=moments(24), assembled_at=moments(24))
def test_a_datetime_in_any_offset_imports_as_the_same_instant(
    db, tmp_path, produced_at, assembled_at
):
    document = minimal_document()
    document["production_runs"][0]["produced_at"] = produced_at.isoformat()
    document["assembly_runs"][0]["assembled_at"] = assembled_at.isoformat()
    with transaction.atomic():
        outcome = run_import(write_document(tmp_path, document))
        assert outcome.returncode == 0, outcome
        exported = export_document()
        transaction.set_rollback(True)

    def utc(moment):
        return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")

    assert exported["production_runs"][0]["produced_at"] == utc(produced_at)
    assert exported["assembly_runs"][0]["assembled_at"] == utc(assembled_at)
