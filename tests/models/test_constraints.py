"""Every CheckConstraint and UniqueConstraint of both apps, refused by the database itself."""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    NamedModel,
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
    RecipientFactory,
)

APPS = ("bakery", "production")
MODELS = [model for app in APPS for model in apps.get_app_config(app).get_models()]
NAMED_MODELS = [model for model in MODELS if issubclass(model, NamedModel)]

FACTORIES = {
    Ingredient: IngredientFactory,
    Recipe: RecipeFactory,
    RecipeIngredient: RecipeIngredientFactory,
    FinishedUnit: FinishedUnitFactory,
    FinishedGood: FinishedGoodFactory,
    Composition: CompositionFactory,
    Package: PackageFactory,
    PackageFinishedGood: PackageFinishedGoodFactory,
    Recipient: RecipientFactory,
    Event: EventFactory,
    EventRecipientPackage: EventRecipientPackageFactory,
    ProductionRun: ProductionRunFactory,
    AssemblyRun: AssemblyRunFactory,
    EventProductionTarget: EventProductionTargetFactory,
    EventAssemblyTarget: EventAssemblyTargetFactory,
}


def constraint_of(model, suffix):
    """Return the model's constraint named after its table and the suffix."""
    name = f"{model._meta.db_table}_{suffix}"
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint
    raise LookupError(f"{model.__name__} has no constraint {name!r}.")


def violation_text(model, constraint):
    """Return the text by which the database's error names the violated constraint."""
    if isinstance(constraint, models.UniqueConstraint) and connection.vendor == "sqlite":
        # SQLite names the columns of a violated unique index, not the index itself.
        table = model._meta.db_table
        columns = (model._meta.get_field(name).column for name in constraint.fields)
        return "UNIQUE constraint failed: " + ", ".join(f"{table}.{column}" for column in columns)
    return constraint.name


@contextmanager
def refused_by(model, constraint):
    """Expect the database to refuse the write with this very constraint."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        yield
    assert violation_text(model, constraint) in str(refusal.value)


@dataclass(frozen=True)
class Case:
    """A write the database must refuse: arrange() prepares it and returns it."""

    label: str
    model: type
    suffix: str
    arrange: Callable[[], Callable[[], object]]

    @property
    def constraint(self):
        return constraint_of(self.model, self.suffix)


@dataclass(frozen=True)
class Values:
    """Field values written over a valid row, built by the model's factory."""

    model: type
    values: dict
    factory_kwargs: dict = field(default_factory=dict)

    def row(self):
        return FACTORIES[self.model](**self.factory_kwargs)

    def write(self, row):
        return self.model.objects.filter(pk=row.pk).update(**self.values)


def update(label, model, suffix, factory_kwargs=None, **values):
    """Return a case writing the values over a valid row with QuerySet.update()."""
    change = Values(model, values, factory_kwargs or {})

    def arrange():
        row = change.row()
        return lambda: change.write(row)

    return Case(label, model, suffix, arrange)


def duplicate(label, model, suffix, *copied):
    """Return a case creating a second row that copies the named fields of a first one."""

    def arrange():
        first = FACTORIES[model]()
        return lambda: FACTORIES[model](**{name: getattr(first, name) for name in copied})

    return Case(label, model, suffix, arrange)


NAME_CASES = [
    case
    for model in NAMED_MODELS
    for case in (
        duplicate(f"{model.__name__} duplicate name", model, "unique_name", "name"),
        *(
            update(f"{model.__name__} name {name!r}", model, "name_stripped_not_empty", name=name)
            for name in ("", " ", " x ", " x", "x ")
        ),
    )
]

POSITIVE_FIELDS = [
    (RecipeIngredient, "quantity", "quantity_positive"),
    (FinishedUnit, "items_per_batch", "items_per_batch_positive"),
    (Composition, "quantity", "quantity_positive"),
    (PackageFinishedGood, "quantity", "quantity_positive"),
    (EventRecipientPackage, "quantity", "quantity_positive"),
    (Event, "year", "year_positive"),
    (ProductionRun, "num_batches", "num_batches_positive"),
    (AssemblyRun, "quantity_assembled", "quantity_positive"),
    (EventProductionTarget, "target_batches", "target_batches_positive"),
    (EventAssemblyTarget, "target_quantity", "target_quantity_positive"),
]

NON_NEGATIVE_FIELDS = [
    (Recipe, "yield_quantity", "yield_quantity_non_negative"),
    (Recipe, "estimated_time_minutes", "estimated_time_non_negative"),
    (FinishedUnit, "inventory_count", "inventory_non_negative"),
    (FinishedGood, "inventory_count", "inventory_non_negative"),
    (Composition, "sort_order", "sort_order_non_negative"),
    (ProductionRun, "expected_yield", "expected_yield_non_negative"),
    (ProductionRun, "actual_yield", "actual_yield_non_negative"),
    (ProductionRun, "total_ingredient_cost", "total_cost_non_negative"),
    (ProductionRun, "per_unit_cost", "per_unit_cost_non_negative"),
    (AssemblyRun, "total_component_cost", "total_cost_non_negative"),
    (AssemblyRun, "per_unit_cost", "per_unit_cost_non_negative"),
]

PORTION = {"portion": True}


def typed(model, field_name, number):
    """Return the number as the field's Python type: a Decimal for a DecimalField."""
    if isinstance(model._meta.get_field(field_name), models.DecimalField):
        return Decimal(number)
    return number


RANGE_CASES = [
    *(
        update(f"{model.__name__}.{name} = {number}", model, suffix, **{name: number})
        for model, name, suffix in POSITIVE_FIELDS
        for number in (typed(model, name, 0), typed(model, name, -1))
    ),
    *(
        update(f"{model.__name__}.{name} = -1", model, suffix, **{name: number})
        for model, name, suffix in NON_NEGATIVE_FIELDS
        for number in (typed(model, name, -1),)
    ),
    *(
        update(
            f"FinishedUnit.batch_percentage = {number}",
            FinishedUnit,
            "batch_percentage_range",
            PORTION,
            batch_percentage=Decimal(number),
        )
        for number in ("0", "-1", "100.0001")
    ),
    update(
        "RecipeIngredient.quantity = -0.0001",
        RecipeIngredient,
        "quantity_positive",
        quantity=Decimal("-0.0001"),
    ),
]


def composition_of(assembly, finished_unit, finished_good):
    """Return the write of a composition with exactly these components."""
    return lambda: Composition.objects.create(
        assembly=assembly, finished_unit=finished_unit, finished_good=finished_good, quantity=1
    )


def self_containing_composition():
    """Return the write of a composition whose good is its own assembly."""
    good = FinishedGoodFactory()
    return composition_of(good, None, good)


RULE_CASES = [
    update("yield_mode 'bogus'", FinishedUnit, "yield_mode_valid", yield_mode="bogus"),
    update(
        "discrete_count without items_per_batch",
        FinishedUnit,
        "yield_field_for_mode",
        items_per_batch=None,
    ),
    update(
        "batch_portion without batch_percentage",
        FinishedUnit,
        "yield_field_for_mode",
        PORTION,
        batch_percentage=None,
    ),
    update(
        "fulfillment_status 'bogus'",
        EventRecipientPackage,
        "status_valid",
        fulfillment_status="bogus",
    ),
    update(
        "composition losing its only component",
        Composition,
        "exactly_one_component",
        finished_unit=None,
    ),
    Case(
        "composition with a unit and a good",
        Composition,
        "exactly_one_component",
        lambda: composition_of(FinishedGoodFactory(), FinishedUnitFactory(), FinishedGoodFactory()),
    ),
    Case(
        "composition with no component",
        Composition,
        "exactly_one_component",
        lambda: composition_of(FinishedGoodFactory(), None, None),
    ),
    Case(
        "assembly containing itself directly",
        Composition,
        "not_self",
        self_containing_composition,
    ),
]


def second_composition(first):
    """Return the write of another composition of the same assembly and component."""
    return lambda: CompositionFactory(assembly=first.assembly, component=first.component)


DUPLICATE_CASES = [
    duplicate("recipe ingredient pair", RecipeIngredient, "unique_pair", "recipe", "ingredient"),
    duplicate("package good pair", PackageFinishedGood, "unique_pair", "package", "finished_good"),
    duplicate(
        "event recipient package triple",
        EventRecipientPackage,
        "unique_triple",
        "event",
        "recipient",
        "package",
    ),
    duplicate("event recipe target", EventProductionTarget, "unique_pair", "event", "recipe"),
    duplicate("event good target", EventAssemblyTarget, "unique_pair", "event", "finished_good"),
    Case(
        "composition assembly and unit",
        Composition,
        "unique_unit",
        lambda: second_composition(CompositionFactory()),
    ),
    Case(
        "composition assembly and good",
        Composition,
        "unique_good",
        lambda: second_composition(CompositionFactory(component=FinishedGoodFactory())),
    ),
    duplicate("production run uuid", ProductionRun, "unique_uuid", "uuid"),
    duplicate("assembly run uuid", AssemblyRun, "unique_uuid", "uuid"),
]

ALL_CASES = NAME_CASES + RANGE_CASES + RULE_CASES + DUPLICATE_CASES


def params(cases):
    """Return the cases as pytest params named by their labels."""
    return [pytest.param(case, id=case.label) for case in cases]


@pytest.mark.django_db
@pytest.mark.parametrize("case", params(ALL_CASES))
def test_database_refuses_write_that_breaks_constraint(case):
    write = case.arrange()
    with refused_by(case.model, case.constraint):
        write()


ACCEPTED = [
    *(Values(model, {name: typed(model, name, 1)}) for model, name, _suffix in POSITIVE_FIELDS),
    *(Values(model, {name: typed(model, name, 0)}) for model, name, _suffix in NON_NEGATIVE_FIELDS),
    Values(Recipe, {"estimated_time_minutes": None}),
    Values(RecipeIngredient, {"quantity": Decimal("0.0001")}),
    Values(FinishedUnit, {"batch_percentage": Decimal("100")}, PORTION),
    Values(FinishedUnit, {"batch_percentage": Decimal("0.0001")}, PORTION),
    Values(FinishedUnit, {"name": "Crème brûlée"}),
    *(
        Values(EventRecipientPackage, {"fulfillment_status": status})
        for status in ("pending", "ready", "delivered")
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [pytest.param(change, id=f"{change.model.__name__} {change.values}") for change in ACCEPTED],
)
def test_database_accepts_boundary_value(change):
    row = change.row()

    assert change.write(row) == 1
    stored = change.model.objects.values(*change.values).get(pk=row.pk)
    assert stored == change.values


@pytest.mark.django_db
def test_database_accepts_assembly_holding_several_units_and_goods():
    box = FinishedGoodFactory()
    parts = [
        FinishedUnitFactory(),
        FinishedUnitFactory(),
        FinishedGoodFactory(),
        FinishedGoodFactory(),
    ]

    for part in parts:
        CompositionFactory(assembly=box, component=part)

    assert box.components.count() == 4


@pytest.mark.django_db
def test_database_accepts_same_component_in_two_assemblies():
    cookie, box = FinishedUnitFactory(), FinishedGoodFactory()

    for assembly in (FinishedGoodFactory(), FinishedGoodFactory()):
        CompositionFactory(assembly=assembly, component=cookie)
        CompositionFactory(assembly=assembly, component=box)

    assert Composition.objects.filter(finished_unit=cookie).count() == 2
    assert Composition.objects.filter(finished_good=box).count() == 2


def test_every_constraint_of_both_apps_has_a_refusal_case():
    declared = {constraint.name for model in MODELS for constraint in model._meta.constraints}
    covered = {case.constraint.name for case in ALL_CASES}

    assert declared - covered == set()
