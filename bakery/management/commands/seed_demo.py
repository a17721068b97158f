"""Fill an empty database with a small, believable holiday bakery, placed around a day."""

import argparse
import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.apps import apps
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

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
from exchange.codecs import DATE_RE
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

# (role, name before the year, month, day, notes): the demo has the next event of each role on
# or after its day, named with the year of its date; the tables below name an event by its role.
EVENTS = [
    ("christmas", "Christmas", 12, 25, "Cookie exchange on the 20th."),
    ("new-year", "New Year", 1, 1, ""),
    ("valentines", "Valentine's Day", 2, 14, ""),
]

# (event, recipient, package, quantity, fulfillment status, delivered to)
ASSIGNMENTS = [
    ("christmas", "Alice Johnson", "Deluxe Cookie Box", 1, FulfillmentStatus.DELIVERED, ""),
    (
        "christmas",
        "Bob Martinez",
        "Family Holiday Package",
        1,
        FulfillmentStatus.DELIVERED,
        "Left with the neighbor at number 50",
    ),
    ("christmas", "Carol Nguyen", "Deluxe Cookie Box", 2, FulfillmentStatus.READY, ""),
    ("christmas", "David Okafor", "Deluxe Cookie Box", 1, FulfillmentStatus.PENDING, ""),
    ("christmas", "Emma Schultz", "Family Holiday Package", 1, FulfillmentStatus.PENDING, ""),
    ("new-year", "Alice Johnson", "Deluxe Cookie Box", 1, FulfillmentStatus.READY, ""),
    ("new-year", "Carol Nguyen", "Family Holiday Package", 1, FulfillmentStatus.PENDING, ""),
    ("valentines", "Emma Schultz", "Deluxe Cookie Box", 1, FulfillmentStatus.PENDING, ""),
]

# (event, recipe, target batches, notes)
PRODUCTION_TARGETS = [
    ("christmas", "Chocolate Chip Cookies", 4, "Need extras for neighbors"),
    ("christmas", "Gingerbread Cookies", 3, ""),
    ("christmas", "Iced Sugar Cookies", 2, ""),
    ("christmas", "Snowball Cookies", 2, ""),
    ("christmas", "Holiday Fruitcake", 1, ""),
    ("new-year", "Chocolate Chip Cookies", 2, ""),
    ("new-year", "Snowball Cookies", 1, ""),
    ("valentines", "Iced Sugar Cookies", 2, "Pink icing"),
]

# (event, finished good, target quantity, notes)
ASSEMBLY_TARGETS = [
    ("christmas", "Cookie Gift Box", 10, ""),
    ("christmas", "Snowball Bag", 6, ""),
    ("christmas", "Holiday Gift Tin", 3, ""),
    ("new-year", "Cookie Gift Box", 4, ""),
    ("valentines", "Cookie Gift Box", 3, ""),
]


class Offset(NamedTuple):
    """A moment of the demo: a number of days from today, and an hour of that day in UTC."""

    days: int
    hour: int

    def on(self, today: datetime.date) -> datetime.datetime:
        """Return the aware UTC datetime of this moment for a given today."""
        day = today + datetime.timedelta(days=self.days)
        return datetime.datetime.combine(day, datetime.time(self.hour), tzinfo=datetime.UTC)


# A run's key names its fixed uuid; its recipe is its finished unit's, its expected yield and
# per-unit cost are worked out from the batches and the actual yield. Its time is an Offset
# from today, so that the same today always gives the same runs.
PRODUCTION_RUNS = [
    {
        "key": "standalone-cookie-trial",
        "event": None,
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 1,
        "actual_yield": 48,
        "produced_at": Offset(-20, 9),
        "total_ingredient_cost": Decimal("6.40"),
        "notes": "Trial batch in the new oven",
    },
    {
        "key": "christmas-cookies-1",
        "event": "christmas",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 2,
        "actual_yield": 94,
        "produced_at": Offset(-6, 10),
        "total_ingredient_cost": Decimal("12.50"),
    },
    {
        "key": "christmas-cookies-2",
        "event": "christmas",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 2,
        "actual_yield": 96,
        "produced_at": Offset(-3, 10),
        "total_ingredient_cost": Decimal("12.50"),
    },
    {
        "key": "christmas-gingerbread",
        "event": "christmas",
        "finished_unit": "Gingerbread Man",
        "num_batches": 2,
        "actual_yield": 70,
        "produced_at": Offset(-5, 14),
        "total_ingredient_cost": Decimal("9.80"),
        "notes": "Two broke coming off the tray",
    },
    {
        "key": "christmas-sugar",
        "event": "christmas",
        "finished_unit": "Iced Sugar Cookie",
        "num_batches": 2,
        "actual_yield": 72,
        "produced_at": Offset(-4, 11),
        "total_ingredient_cost": Decimal("8.64"),
    },
    {
        "key": "christmas-snowballs",
        "event": "christmas",
        "finished_unit": "Snowball Cookie",
        "num_batches": 1,
        "actual_yield": 47,
        "produced_at": Offset(-2, 15),
        "total_ingredient_cost": Decimal("6.11"),
    },
    {
        "key": "christmas-fruitcake",
        "event": "christmas",
        "finished_unit": "Fruitcake Quarter",
        "num_batches": 1,
        "actual_yield": 4,
        "produced_at": Offset(-19, 13),
        "total_ingredient_cost": Decimal("18.00"),
    },
    {
        "key": "new-year-cookies",
        "event": "new-year",
        "finished_unit": "Chocolate Chip Cookie",
        "num_batches": 1,
        "actual_yield": 46,
        "produced_at": Offset(-1, 9),
        "total_ingredient_cost": Decimal("6.25"),
    },
]

ASSEMBLY_RUNS = [
    {
        "key": "standalone-office-boxes",
        "event": None,
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 2,
        "assembled_at": Offset(-16, 17),
        "total_component_cost": Decimal("4.80"),
        "notes": "For the office party",
    },
    {
        "key": "christmas-boxes",
        "event": "christmas",
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 10,
        "assembled_at": Offset(-1, 14),
        "total_component_cost": Decimal("24.00"),
    },
    {
        "key": "christmas-snowball-bags",
        "event": "christmas",
        "finished_good": "Snowball Bag",
        "quantity_assembled": 4,
        "assembled_at": Offset(-1, 16),
        "total_component_cost": Decimal("6.24"),
    },
    {
        "key": "christmas-tins",
        "event": "christmas",
        "finished_good": "Holiday Gift Tin",
        "quantity_assembled": 2,
        "assembled_at": Offset(-1, 10),
        "total_component_cost": Decimal("18.60"),
    },
    {
        "key": "new-year-boxes",
        "event": "new-year",
        "finished_good": "Cookie Gift Box",
        "quantity_assembled": 2,
        "assembled_at": Offset(-1, 18),
        "total_component_cost": Decimal("4.80"),
    },
]


# The days the demo fits around: its earliest run and its next events stay in the calendar.
FIRST_TODAY = datetime.date.min - datetime.timedelta(
    days=min(
        *(run["produced_at"].days for run in PRODUCTION_RUNS),
        *(run["assembled_at"].days for run in ASSEMBLY_RUNS),
    )
)
LAST_TODAY = datetime.date(datetime.MAXYEAR - 1, 12, 31)


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


def _next_on_or_after(today: datetime.date, month: int, day: int) -> datetime.date:
    """Return the first date of this month and day on or after today."""
    this_year = datetime.date(today.year, month, day)
    return this_year if this_year >= today else this_year.replace(year=today.year + 1)


def _event(events, role):
    """Return the event of this role, or None for a standalone run."""
    return events[role] if role is not None else None


def _per_unit(total, count):
    """Return a total cost shared over count items."""
    return (total / count).quantize(UNIT_COST_STEP, rounding=ROUND_HALF_UP)


@transaction.atomic
def seed_demo(today: datetime.date):
    """Create the demo bakery around today in an empty database; return False if it has data."""
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
    events = {}
    for role, title, month, day, notes in EVENTS:
        date = _next_on_or_after(today, month, day)
        events[role] = _save(Event(name=f"{title} {date.year}", event_date=date, notes=notes))
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
        fields["produced_at"] = fields["produced_at"].on(today)
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
        fields["assembled_at"] = fields["assembled_at"].on(today)
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


def demo_today(text: str) -> datetime.date:
    """Parse --today: a date written YYYY-MM-DD that the demo fits around."""
    if not DATE_RE.match(text):
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD, got {text!r}")
    try:
        today = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a real date, got {text!r} ({exc})") from None
    if not FIRST_TODAY <= today <= LAST_TODAY:
        raise argparse.ArgumentTypeError(
            f"must be a date from {FIRST_TODAY} to {LAST_TODAY}, got {text!r}"
        )
    return today


class Command(ProjectCommand):
    help = (
        "Fill an empty database with a small holiday bakery to explore: the next Christmas, "
        "New Year and Valentine's Day from today, with part of the work done."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=demo_today,
            metavar="YYYY-MM-DD",
            help="The day to place the demo around (default: the current date); the same "
            "day always gives the same demo.",
        )

    def handle(self, *args, today, verbosity, **options):
        if today is None:
            today = timezone.localdate()
        elif isinstance(today, str):
            # call_command(today=...) gives the text as it is: argparse never saw it.
            try:
                today = demo_today(today)
            except argparse.ArgumentTypeError as exc:
                raise CommandError(f"Error: argument --today: {exc}", returncode=2) from None
        if not seed_demo(today):
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
