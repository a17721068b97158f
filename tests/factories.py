"""factory_boy factories for every model, and a whole consistent bakery in one call.

build_bakery() makes an ordinary one; rich_bakery() adds to it the awkward values a copy must
keep: unicode and quotes, blanks and nulls, the limits of numbers and odd UTC offsets.
"""

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

EASTERN = datetime.timezone(datetime.timedelta(hours=-5))
INDIA = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
CHATHAM = datetime.timezone(datetime.timedelta(hours=12, minutes=45))
LARGEST = Decimal("99999999.9999")
INT_MAX = 2**31 - 1


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


# The shopping list of plan_case's event, worked out by hand: 2 batches of bread and 3 of
# cookies are left to bake.
PLAN_CASE_SHOPPING_CSV = (
    "ingredient,unit,quantity\n"
    "Butter,cup,1.5\n"
    "Flour,cup,6.75\n"
    "Flour,g,200\n"
    "Sugar,cup,3\n"
    "Yeast,tsp,0.5\n"
)


def plan_case() -> Event:
    """Christmas 2025, its numbers worked out by hand in each test below.

    Production: Cookies 4 batches, 1 baked for it (3 more standalone, 2 for another event);
    Bread 2, none baked; Cake 2, 3 baked (over target). Assembly: Tin (2 boxes of 12 cookies
    and 1 slice of cake, a batch portion) 3, 1 assembled (5 standalone, 4 for another event);
    Box 5, 7 assembled. Packages: one pending, one ready, one delivered.
    """
    event = EventFactory(name="Christmas 2025", event_date=datetime.date(2025, 12, 24))
    other = EventFactory(name="Easter 2026", event_date=datetime.date(2026, 4, 5))
    # Created out of name order, so the shopping list's order is the plan's doing.
    yeast, sugar, flour, butter = (
        IngredientFactory(name=name) for name in ("Yeast", "Sugar", "Flour", "Butter")
    )
    cookies = RecipeFactory(
        name="Cookies",
        ingredients=[(sugar, Decimal("1")), (flour, Decimal("2.25")), (butter, Decimal("0.5"))],
    )
    bread = RecipeFactory(name="Bread", ingredients=[(yeast, Decimal("0.25")), (flour, 100)])
    bread.ingredients.filter(ingredient=flour).update(unit="g")
    bread.ingredients.filter(ingredient=yeast).update(unit="tsp")
    cake = RecipeFactory(name="Cake", ingredients=[(butter, Decimal("2"))])
    cookie = FinishedUnitFactory(name="Cookie", recipe=cookies, items_per_batch=48)
    slice_ = FinishedUnitFactory(name="Cake slice", recipe=cake, portion=True)
    box = FinishedGoodFactory(name="Box", components=[(cookie, 12)])
    tin = FinishedGoodFactory(name="Tin", components=[(box, 2), (slice_, 1)])

    EventProductionTargetFactory(event=event, recipe=cookies, target_batches=4)
    EventProductionTargetFactory(event=event, recipe=bread, target_batches=2)
    EventProductionTargetFactory(event=event, recipe=cake, target_batches=2)
    ProductionRunFactory(event=event, finished_unit=cookie, num_batches=1)
    ProductionRunFactory(standalone=True, finished_unit=cookie, num_batches=3)
    ProductionRunFactory(event=other, finished_unit=cookie, num_batches=2)
    ProductionRunFactory(event=event, finished_unit=slice_, num_batches=3)

    EventAssemblyTargetFactory(event=event, finished_good=tin, target_quantity=3)
    EventAssemblyTargetFactory(event=event, finished_good=box, target_quantity=5)
    AssemblyRunFactory(event=event, finished_good=tin, quantity_assembled=1)
    AssemblyRunFactory(standalone=True, finished_good=tin, quantity_assembled=5)
    AssemblyRunFactory(event=other, finished_good=tin, quantity_assembled=4)
    AssemblyRunFactory(event=event, finished_good=box, quantity_assembled=7)

    gift = PackageFactory(name="Gift", contents=[(tin, 1)])
    for recipient, status, quantity in [
        ("Carol", FulfillmentStatus.READY, 2),
        ("Alice", FulfillmentStatus.DELIVERED, 1),
        ("Bob", FulfillmentStatus.PENDING, 1),
    ]:
        EventRecipientPackageFactory(
            event=event,
            recipient=RecipientFactory(name=recipient),
            package=gift,
            quantity=quantity,
            fulfillment_status=status,
        )
    EventRecipientPackageFactory(event=other, package=gift)
    return event
