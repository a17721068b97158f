"""factory_boy factories for every model, and a whole consistent bakery in one call."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import factory
from django.utils import timezone

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
    YieldMode,
)
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun


class IngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ingredient

    name = factory.Sequence(lambda n: f"Ingredient {n}")
    category = "Baking"
    recipe_unit = "cup"


class RecipeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipe
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Recipe {n}")
    category = "Cookies"
    yield_quantity = Decimal("48.0000")
    yield_unit = "cookies"
    estimated_time_minutes = 45

    @factory.post_generation
    def ingredients(self, create, extracted, **kwargs):
        """Add RecipeIngredients: pass ingredients=[(ingredient, quantity), ...]."""
        if not create or not extracted:
            return
        for ingredient, quantity in extracted:
            RecipeIngredientFactory(recipe=self, ingredient=ingredient, quantity=quantity)


class RecipeIngredientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecipeIngredient

    recipe = factory.SubFactory(RecipeFactory)
    ingredient = factory.SubFactory(IngredientFactory)
    quantity = Decimal("2.2500")
    unit = "cup"


class FinishedUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinishedUnit

    name = factory.Sequence(lambda n: f"Finished unit {n}")
    recipe = factory.SubFactory(RecipeFactory)
    yield_mode = YieldMode.DISCRETE_COUNT
    items_per_batch = 48
    item_unit = "cookie"
    inventory_count = 0

    class Params:
        portion = factory.Trait(
            yield_mode=YieldMode.BATCH_PORTION,
            items_per_batch=None,
            item_unit="cake",
            batch_percentage=Decimal("25.0000"),
        )


class FinishedGoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinishedGood
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Finished good {n}")
    description = factory.LazyAttribute(lambda o: f"A box called {o.name}")
    inventory_count = 0

    @factory.post_generation
    def components(self, create, extracted, **kwargs):
        """Add Compositions: pass components=[(unit_or_good, quantity), ...]."""
        if not create or not extracted:
            return
        for order, (component, quantity) in enumerate(extracted):
            CompositionFactory(
                assembly=self, component=component, quantity=quantity, sort_order=order
            )


class CompositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Composition
        exclude = ("component",)

    assembly = factory.SubFactory(FinishedGoodFactory)
    component = factory.SubFactory(FinishedUnitFactory)
    finished_unit = factory.LazyAttribute(
        lambda o: o.component if isinstance(o.component, FinishedUnit) else None
    )
    finished_good = factory.LazyAttribute(
        lambda o: o.component if isinstance(o.component, FinishedGood) else None
    )
    quantity = 6
    sort_order = factory.Sequence(lambda n: n)


class PackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Package
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Package {n}")
    is_template = False
    description = "A gift package"

    @factory.post_generation
    def contents(self, create, extracted, **kwargs):
        """Add PackageFinishedGoods: pass contents=[(good, quantity), ...]."""
        if not create or not extracted:
            return
        for good, quantity in extracted:
            PackageFinishedGoodFactory(package=self, finished_good=good, quantity=quantity)


class PackageFinishedGoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PackageFinishedGood

    package = factory.SubFactory(PackageFactory)
    finished_good = factory.SubFactory(FinishedGoodFactory)
    quantity = 1


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    name = factory.Sequence(lambda n: f"Recipient {n}")
    household_name = factory.LazyAttribute(lambda o: f"{o.name.split()[-1]} household")
    address = factory.Sequence(lambda n: f"{n} Maple Street")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    name = factory.Sequence(lambda n: f"Event {n}")
    event_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    year = factory.LazyAttribute(lambda o: o.event_date.year)


class EventRecipientPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRecipientPackage

    event = factory.SubFactory(EventFactory)
    recipient = factory.SubFactory(RecipientFactory)
    package = factory.SubFactory(PackageFactory)
    quantity = 1
    fulfillment_status = FulfillmentStatus.PENDING


class ProductionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionRun

    uuid = factory.LazyFunction(uuid.uuid4)
    finished_unit = factory.SubFactory(FinishedUnitFactory)
    recipe = factory.SelfAttribute("finished_unit.recipe")
    event = factory.SubFactory(EventFactory)
    num_batches = 2
    expected_yield = factory.LazyAttribute(
        lambda o: o.num_batches * (o.finished_unit.items_per_batch or 1)
    )
    actual_yield = factory.SelfAttribute("expected_yield")
    produced_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    total_ingredient_cost = Decimal("12.5000")
    per_unit_cost = Decimal("0.1330")

    class Params:
        standalone = factory.Trait(event=None)


class AssemblyRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssemblyRun

    uuid = factory.LazyFunction(uuid.uuid4)
    finished_good = factory.SubFactory(FinishedGoodFactory)
    event = factory.SubFactory(EventFactory)
    quantity_assembled = 3
    assembled_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=6))
    total_component_cost = Decimal("30.0000")
    per_unit_cost = Decimal("10.0000")

    class Params:
        standalone = factory.Trait(event=None)


class EventProductionTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventProductionTarget

    event = factory.SubFactory(EventFactory)
    recipe = factory.SubFactory(RecipeFactory)
    target_batches = 4


class EventAssemblyTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventAssemblyTarget

    event = factory.SubFactory(EventFactory)
    finished_good = factory.SubFactory(FinishedGoodFactory)
    target_quantity = 10


@dataclass
class Bakery:
    """Everything build_bakery() made, by kind."""

    ingredients: list = field(default_factory=list)
    recipes: list = field(default_factory=list)
    finished_units: list = field(default_factory=list)
    finished_goods: list = field(default_factory=list)
    packages: list = field(default_factory=list)
    recipients: list = field(default_factory=list)
    events: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    production_targets: list = field(default_factory=list)
    assembly_targets: list = field(default_factory=list)
    production_runs: list = field(default_factory=list)
    assembly_runs: list = field(default_factory=list)


def build_bakery() -> Bakery:
    """Build a whole consistent bakery: every model, every status, nested goods, standalone runs.

    Two events with targets and package assignments in every fulfillment status; production
    and assembly runs for each event and standalone; a good that contains another good.
    """
    b = Bakery()
    flour, sugar, butter = (IngredientFactory() for _ in range(3))
    b.ingredients = [flour, sugar, butter]
    cookies = RecipeFactory(ingredients=[(flour, Decimal("2.2500")), (sugar, Decimal("1.0000"))])
    cake = RecipeFactory(yield_quantity=Decimal("1.0000"), ingredients=[(butter, Decimal("0.5"))])
    b.recipes = [cookies, cake]
    cookie = FinishedUnitFactory(recipe=cookies)
    slice_ = FinishedUnitFactory(recipe=cake, portion=True)
    b.finished_units = [cookie, slice_]
    box = FinishedGoodFactory(components=[(cookie, 12)])
    tin = FinishedGoodFactory(components=[(box, 2), (slice_, 1)])
    b.finished_goods = [box, tin]
    small = PackageFactory(contents=[(box, 1)])
    deluxe = PackageFactory(contents=[(box, 1), (tin, 1)])
    template = PackageFactory(is_template=True, contents=[(tin, 2)])
    b.packages = [small, deluxe, template]
    b.recipients = [RecipientFactory() for _ in range(3)]
    today = timezone.localdate()
    b.events = [
        EventFactory(event_date=today + datetime.timedelta(days=20)),
        EventFactory(event_date=today + datetime.timedelta(days=60)),
    ]
    for event in b.events:
        for recipient, package, status in zip(
            b.recipients, [small, deluxe, small], FulfillmentStatus.values, strict=True
        ):
            b.assignments.append(
                EventRecipientPackageFactory(
                    event=event, recipient=recipient, package=package, fulfillment_status=status
                )
            )
        b.production_targets += [
            EventProductionTargetFactory(event=event, recipe=cookies, target_batches=4),
            EventProductionTargetFactory(event=event, recipe=cake, target_batches=2),
        ]
        b.assembly_targets.append(
            EventAssemblyTargetFactory(event=event, finished_good=box, target_quantity=10)
        )
        b.production_runs += [
            ProductionRunFactory(event=event, finished_unit=cookie, num_batches=3),
            ProductionRunFactory(event=event, finished_unit=slice_, num_batches=1),
        ]
        b.assembly_runs.append(AssemblyRunFactory(event=event, finished_good=box))
    b.production_runs.append(ProductionRunFactory(standalone=True, finished_unit=cookie))
    b.assembly_runs.append(AssemblyRunFactory(standalone=True, finished_good=tin))
    return b
