"""Fill an empty database with a small, believable holiday bakery."""

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db import transaction

from bakery.management.base import ProjectCommand
from bakery.models import (
    DECIMAL_PLACES,
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
from exchange.counts import database_counts
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from production.services import set_assembly_target, set_production_target

# Run uuids are uuid5 of this namespace and a run's key, so every seeded database has the same
# runs and an export of one demo merges cleanly into another.
DEMO_NAMESPACE = uuid.UUID("6d1f4c2a-8b3e-4f70-9a15-3c7e2b9d0f48")

# A per-unit cost is kept to the project's decimal places, rounded half up.
UNIT_COST_STEP = Decimal(1).scaleb(-DECIMAL_PLACES)

ALREADY_SEEDED = "The database already has bakery data; seed_demo only seeds an empty database."


INGREDIENTS = [
    ("All-Purpose Flour", "Baking", "cup"),
    ("Butter", "Dairy", "cup"),
    ("Granulated Sugar", "Baking", "cup"),
    ("Eggs", "Dairy", "each"),
    ("Chocolate Chips", "Baking", "cup"),
    ("Molasses", "Baking", "cup"),
    ("Ground Ginger", "Spices", "tsp"),
    ("Powdered Sugar", "Baking", "cup"),
    ("Candied Fruit", "Fruit", "cup"),
]

RECIPES = [
    {
        "name": "Chocolate Chip Cookies",
        "category": "Cookies",
        "yield_quantity": Decimal("48"),
        "yield_unit": "cookies",
        "source": "Grandma's recipe box",
        "estimated_time_minutes": 45,
        "ingredients": [
            ("All-Purpose Flour", "2.25", "cup"),
            ("Butter", "1", "cup"),
            ("Granulated Sugar", "0.75", "cup"),
            ("Eggs", "2", "each"),
            ("Chocolate Chips", "2", "cup"),
        ],
    },
    {
        "name": "Gingerbread Cookies",
        "category": "Cookies",
        "yield_quantity": Decimal("36"),
        "yield_unit": "cookies",
        "estimated_time_minutes": 90,
        "notes": "Chill the dough overnight before rolling.",
        "ingredients": [
            ("All-Purpose Flour", "3", "cup"),
            ("Butter", "0.75", "cup"),
            ("Molasses", "0.5", "cup"),
            ("Eggs", "1", "each"),
            ("Ground Ginger", "1.5", "tsp"),
        ],
    },
    {
        "name": "Iced Sugar Cookies",
        "category": "Cookies",
        "yield_quantity": Decimal("36"),
        "yield_unit": "cookies",
        "estimated_time_minutes": 60,
        "ingredients": [
            ("All-Purpose Flour", "2.75", "cup"),
            ("Butter", "1", "cup"),
            ("Granulated Sugar", "1.5", "cup"),
            ("Eggs", "1", "each"),
            ("Powdered Sugar", "2", "cup"),
        ],
    },
    {
        "name": "Snowball Cookies",
        "category": "Cookies",
        "yield_quantity": Decimal("48"),
        "yield_unit": "cookies",
        "estimated_time_minutes": 40,
        "ingredients": [
            ("All-Purpose Flour", "2.25", "cup"),
            ("Butter", "1", "cup"),
            ("Powdered Sugar", "1.5", "cup"),
        ],
    },
    {
        "name": "Holiday Fruitcake",
        "category": "Cakes",
        "yield_quantity": Decimal("1"),
        "yield_unit": "cake",
        "source": "Aunt May",
        "estimated_time_minutes": 180,
        "notes": "Bake in November and feed with brandy weekly.",
        "ingredients": [
            ("All-Purpose Flour", "1.5", "cup"),
            ("Butter", "0.5", "cup"),
            ("Granulated Sugar", "0.75", "cup"),
            ("Eggs", "4", "each"),
            ("Molasses", "0.25", "cup"),
            ("Candied Fruit", "3", "cup"),
        ],
    },
]

FINISHED_UNITS = [
    {
        "name": "Chocolate Chip Cookie",
        "recipe": "Chocolate Chip Cookies",
        "yield_mode": YieldMode.DISCRETE_COUNT,
        "items_per_batch": 48,
        "item_unit": "cookie",
        "inventory_count": 24,
    },
    {
        "name": "Gingerbread Man",
        "recipe": "Gingerbread Cookies",
        "yield_mode": YieldMode.DISCRETE_COUNT,
        "items_per_batch": 36,
        "item_unit": "cookie",
    },
    {
        "name": "Iced Sugar Cookie",
        "recipe": "Iced Sugar Cookies",
        "yield_mode": YieldMode.DISCRETE_COUNT,
        "items_per_batch": 36,
        "item_unit": "cookie",
    },
    {
        "name": "Snowball Cookie",
        "recipe": "Snowball Cookies",
        "yield_mode": YieldMode.DISCRETE_COUNT,
        "items_per_batch": 48,
        "item_unit": "cookie",
    },
    {
        "name": "Fruitcake Quarter",
        "recipe": "Holiday Fruitcake",
        "yield_mode": YieldMode.BATCH_PORTION,
        "batch_percentage": Decimal("25"),
        "item_unit": "quarter cake",
    },
]

# A good's components are (finished unit or finished good name, quantity), in sort order; a good
# is listed after every good it contains.
FINISHED_GOODS = [
    {
        "name": "Cookie Gift Box",
        "description": "Eighteen cookies in a red box with a ribbon.",
        "components": [
            ("Chocolate Chip Cookie", 6),
            ("Gingerbread Man", 6),
            ("Iced Sugar Cookie", 6),
        ],
    },
    {
        "name": "Snowball Bag",
        "description": "A dozen snowball cookies in a cellophane bag.",
        "components": [("Snowball Cookie", 12)],
    },
    {
        "name": "Holiday Gift Tin",
        "description": "Two cookie gift boxes and a quarter of fruitcake in a painted tin.",
        "components": [("Cookie Gift Box", 2), ("Fruitcake Quarter", 1)],
    },
]

PACKAGES = [
    {
        "name": "Deluxe Cookie Box",
        "description": "Cookies and snowballs for close friends.",
        "contents": [("Cookie Gift Box", 1), ("Snowball Bag", 1)],
    },
    {
        "name": "Family Holiday Package",
        "description": "The big one, for family.",
        "contents": [("Holiday Gift Tin", 1), ("Snowball Bag", 2)],
    },
    {
        "name": "Neighbor Gift",
        "is_template": True,
        "description": "Start from this for a neighbor or a colleague.",
        "contents": [("Cookie Gift Box", 1)],
    },
]

RECIPIENTS = [
    ("Alice Johnson", "Johnson family", "12 Maple Street, Springfield"),
    ("Bob Martinez", "Martinez family", "48 Oak Avenue, Springfield"),
    ("Carol Nguyen", "Nguyen household", "7 Birch Lane, Shelbyville"),
    ("David Okafor", "Okafor family", "301 Pine Road, Springfield"),
    ("Emma Schultz", "", "19 Cedar Court, Capital City"),
]

EVENTS = [
    ("Christmas 2025", datetime.date(2025, 12, 25), "Cookie exchange on the 20th."),
    ("New Year 2026", datetime.date(2026, 1, 1), ""),
    ("Valentine's Day 2026", datetime.date(2026, 2, 14), ""),
]

# (event, recipient, package, quantity, fulfillment status, delivered to)
ASSIGNMENTS = [
    ("Christmas 2025", "Alice Johnson", "Deluxe Cookie Box", 1, FulfillmentStatus.DELIVERED, ""),
    (
        "Christmas 2025",
        "Bob Martinez",
        "Family Holiday Package",
        1,
        FulfillmentStatus.DELIVERED,
        "Left with the neighbor at number 50",
    ),
    ("Christmas 2025", "Carol Nguyen", "Deluxe Cookie Box", 2, FulfillmentStatus.READY, ""),
    ("Christmas 2025", "David Okafor", "Deluxe Cookie Box", 1, FulfillmentStatus.PENDING, ""),
    ("Christmas 2025", "Emma Schultz", "Family Holiday Package", 1, FulfillmentStatus.PENDING, ""),
    ("New Year 2026", "Alice Johnson", "Deluxe Cookie Box", 1, FulfillmentStatus.READY, ""),
    ("New Year 2026", "Carol Nguyen", "Family Holiday Package", 1, FulfillmentStatus.PENDING, ""),
    ("Valentine's Day 2026", "Emma Schultz", "Deluxe Cookie Box", 1, FulfillmentStatus.PENDING, ""),
]

# (event, recipe, target batches, notes)
PRODUCTION_TARGETS = [
    ("Christmas 2025", "Chocolate Chip Cookies", 4, "Need extras for neighbors"),
    ("Christmas 2025", "Gingerbread Cookies", 3, ""),
    ("Christmas 2025", "Iced Sugar Cookies", 2, ""),
    ("Christmas 2025", "Snowball Cookies", 2, ""),
    ("Christmas 2025", "Holiday Fruitcake", 1, ""),
    ("New Year 2026", "Chocolate Chip Cookies", 2, ""),
    ("New Year 2026", "Snowball Cookies", 1, ""),
    ("Valentine's Day 2026", "Iced Sugar Cookies", 2, "Pink icing"),
]

# (event, finished good, target quantity, notes)
ASSEMBLY_TARGETS = [
    ("Christmas 2025", "Cookie Gift Box", 10, ""),
    ("Christmas 2025", "Snowball Bag", 6, ""),
    ("Christmas 2025", "Holiday Gift Tin", 3, ""),
    ("New Year 2026", "Cookie Gift Box", 4, ""),
    ("Valentine's Day 2026", "Cookie Gift Box", 3, ""),
]


def _at(day, hour):
    """Return an aware UTC datetime on a day of December 2025."""
    return datetime.datetime(2025, 12, day, hour, tzinfo=datetime.UTC)


# A run's key names its fixed uuid; its recipe is its finished unit's, its expected yield and
# per-unit cost are worked out from the batches and the actual yield.
PRODUCTION_RUNS = [
    {
        "key": "standalone-cookie-trial",
        "event": None,
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 1,
        "actual_yield": 48,
        "produced_at": _at(1, 9),
        "total_ingredient_cost": Decimal("6.40"),
        "notes": "Trial batch in the new oven",
    },
    {
        "key": "christmas-cookies-1",
        "event": "Christmas 2025",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 2,
        "actual_yield": 94,
        "produced_at": _at(15, 10),
        "total_ingredient_cost": Decimal("12.50"),
    },
    {
        "key": "christmas-cookies-2",
        "event": "Christmas 2025",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 2,
        "actual_yield": 96,
        "produced_at": _at(18, 10),
        "total_ingredient_cost": Decimal("12.50"),
    },
    {
        "key": "christmas-gingerbread",
        "event": "Christmas 2025",
        "finished_unit": "Gingerbread Man",
        "num_batches": 2,
        "actual_yield": 70,
        "produced_at": _at(16, 14),
        "total_ingredient_cost": Decimal("9.80"),
        "notes": "Two broke coming off the tray",
    },
    {
        "key": "christmas-sugar",
        "event": "Christmas 2025",
        "finished_unit": "Iced Sugar Cookie",
        "num_batches": 2,
        "actual_yield": 72,
        "produced_at": _at(17, 11),
        "total_ingredient_cost": Decimal("8.64"),
    },
    {
        "key": "christmas-snowballs",
        "event": "Christmas 2025",
        "finished_unit": "Snowball Cookie",
        "num_batches": 1,
        "actual_yield": 47,
        "produced_at": _at(19, 15),
        "total_ingredient_cost": Decimal("6.11"),
    },
    {
        "key": "christmas-fruitcake",
        "event": "Christmas 2025",
        "finished_unit": "Fruitcake Quarter",
        "num_batches": 1,
        "actual_yield": 4,
        "produced_at": _at(2, 13),
        "total_ingredient_cost": Decimal("18.00"),
    },
    {
        "key": "new-year-cookies",
        "event": "New Year 2026",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 1,
        "actual_yield": 46,
        "produced_at": _at(29, 10),
        "total_ingredient_cost": Decimal("6.25"),
    },
]

ASSEMBLY_RUNS = [
    {
        "key": "standalone-office-boxes",
        "event": None,
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 2,
        "assembled_at": _at(5, 17),
        "total_component_cost": Decimal("4.80"),
        "notes": "For the office party",
    },
    {
        "key": "christmas-boxes",
        "event": "Christmas 2025",
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 10,
        "assembled_at": _at(20, 14),
        "total_component_cost": Decimal("24.00"),
    },
    {
        "key": "christmas-snowball-bags",
        "event": "Christmas 2025",
        "finished_good": "Snowball Bag",
        "quantity_assembled": 4,
        "assembled_at": _at(20, 16),
        "total_component_cost": Decimal("6.24"),
    },
    {
        "key": "christmas-tins",
        "event": "Christmas 2025",
        "finished_good": "Holiday Gift Tin",
        "quantity_assembled": 2,
        "assembled_at": _at(21, 10),
        "total_component_cost": Decimal("18.60"),
    },
    {
        "key": "new-year-boxes",
        "event": "New Year 2026",
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 2,
        "assembled_at": _at(30, 15),
        "total_component_cost": Decimal("4.80"),
    },
]


def seeded_models():
    """Return every model that seed_demo fills: all of the bakery and production apps."""
    return [
        *apps.get_app_config("bakery").get_models(),
        *apps.get_app_config("production").get_models(),
    ]


def _save(record):
    """Validate a record, then save it."""
    record.full_clean()
    record.save()
    return record


def _run_uuid(key):
    """Return the fixed uuid of the demo run with this key."""
    return uuid.uuid5(DEMO_NAMESPACE, f"run:{key}")


def _event(events, name):
    """Return the named event, or None for a standalone run."""
    return events[name] if name is not None else None


def _per_unit(total, count):
    """Return a total cost shared over count items."""
    return (total / count).quantize(UNIT_COST_STEP, rounding=ROUND_HALF_UP)


@transaction.atomic
def seed_demo():
    """Create the demo bakery in an empty database; return False if it already has data."""
    if any(model.objects.exists() for model in seeded_models()):
        return False

    ingredients = {
        name: _save(Ingredient(name=name, category=category, recipe_unit=unit))
        for name, category, unit in INGREDIENTS
    }
    recipes = {}
    for fields in RECIPES:
        fields = dict(fields)
        lines = fields.pop("ingredients")
        recipe = recipes[fields["name"]] = _save(Recipe(**fields))
        for ingredient, quantity, unit in lines:
            _save(
                RecipeIngredient(
                    recipe=recipe,
                    ingredient=ingredients[ingredient],
                    quantity=Decimal(quantity),
                    unit=unit,
                )
            )
    units = {
        fields["name"]: _save(FinishedUnit(**{**fields, "recipe": recipes[fields["recipe"]]}))
        for fields in FINISHED_UNITS
    }
    goods = {}
    for fields in FINISHED_GOODS:
        fields = dict(fields)
        components = fields.pop("components")
        good = goods[fields["name"]] = _save(FinishedGood(**fields))
        for order, (name, quantity) in enumerate(components):
            _save(
                Composition(
                    assembly=good,
                    finished_unit=units.get(name),
                    finished_good=goods.get(name),
                    quantity=quantity,
                    sort_order=order,
                )
            )
    packages = {}
    for fields in PACKAGES:
        fields = dict(fields)
        contents = fields.pop("contents")
        package = packages[fields["name"]] = _save(Package(**fields))
        for name, quantity in contents:
            _save(
                PackageFinishedGood(package=package, finished_good=goods[name], quantity=quantity)
            )
    recipients = {
        name: _save(Recipient(name=name, household_name=household, address=address))
        for name, household, address in RECIPIENTS
    }
    events = {
        name: _save(Event(name=name, event_date=date, notes=notes)) for name, date, notes in EVENTS
    }
    for event, recipient, package, quantity, status, delivered_to in ASSIGNMENTS:
        _save(
            EventRecipientPackage(
                event=events[event],
                recipient=recipients[recipient],
                package=packages[package],
                quantity=quantity,
                fulfillment_status=status,
                delivered_to=delivered_to,
            )
        )
    for event, recipe, batches, notes in PRODUCTION_TARGETS:
        EventProductionTarget(
            event=events[event], recipe=recipes[recipe], target_batches=batches, notes=notes
        ).full_clean()
        set_production_target(events[event], recipes[recipe], batches, notes)
    for event, good, quantity, notes in ASSEMBLY_TARGETS:
        EventAssemblyTarget(
            event=events[event], finished_good=goods[good], target_quantity=quantity, notes=notes
        ).full_clean()
        set_assembly_target(events[event], goods[good], quantity, notes)
    for fields in PRODUCTION_RUNS:
        fields = dict(fields)
        key, event = fields.pop("key"), _event(events, fields.pop("event"))
        unit = units[fields.pop("finished_unit")]
        _save(
            ProductionRun(
                uuid=_run_uuid(key),
                recipe=unit.recipe,
                finished_unit=unit,
                event=event,
                expected_yield=unit.expected_yield(fields["num_batches"]),
                per_unit_cost=_per_unit(fields["total_ingredient_cost"], fields["actual_yield"]),
                **fields,
            )
        )
    for fields in ASSEMBLY_RUNS:
        fields = dict(fields)
        key, event = fields.pop("key"), _event(events, fields.pop("event"))
        good = goods[fields.pop("finished_good")]
        _save(
            AssemblyRun(
                uuid=_run_uuid(key),
                finished_good=good,
                event=event,
                per_unit_cost=_per_unit(
                    fields["total_component_cost"], fields["quantity_assembled"]
                ),
                **fields,
            )
        )
    return True


class Command(ProjectCommand):
    help = "Fill an empty database with a small holiday bakery to explore."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if not seed_demo():
            if verbosity:
                self.stderr.write(ALREADY_SEEDED)
            return
        if verbosity:
            counts = ", ".join(
                f"{model.objects.count()} {model._meta.verbose_name_plural}"
                for model in seeded_models()
            )
            total = database_counts().phrase()
            self.stdout.write(f"Seeded the demo bakery, {total}: {counts}.")
