"""Fill an empty database with a large synthetic bakery, the same for the same seed."""

import datetime
import itertools
import random
import time
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.management.base import CommandError
from django.db import transaction

from bakery.management.base import ProjectCommand
from bakery.management.commands.seed_demo import seeded_models
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
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun

DEFAULT_RUNS = 20_000
DEFAULT_SEED = 2025
# Records handed to one bulk_create; Django splits them further to the backend's limits.
CHUNK_SIZE = 2_000

NOT_EMPTY = (
    "The database already has {count} bakery and production records; generate_bakery only "
    "fills an empty database. Migrate a new database and point DATABASE_URL at it."
)

STEP = Decimal(1).scaleb(-DECIMAL_PLACES)
CENT = Decimal("0.01")
UTC = datetime.UTC

# (name, category, recipe unit); the qualifiers multiply them into a catalog of hundreds.
INGREDIENT_BASES = [
    ("All-Purpose Flour", "Flours", "cup"),
    ("Bread Flour", "Flours", "cup"),
    ("Cake Flour", "Flours", "cup"),
    ("Whole Wheat Flour", "Flours", "cup"),
    ("Almond Flour", "Flours", "cup"),
    ("Rye Flour", "Flours", "cup"),
    ("Rolled Oats", "Grains", "cup"),
    ("Cornmeal", "Grains", "cup"),
    ("Granulated Sugar", "Sugars", "cup"),
    ("Brown Sugar", "Sugars", "cup"),
    ("Powdered Sugar", "Sugars", "cup"),
    ("Turbinado Sugar", "Sugars", "tbsp"),
    ("Honey", "Sugars", "tbsp"),
    ("Maple Syrup", "Sugars", "tbsp"),
    ("Molasses", "Sugars", "tbsp"),
    ("Corn Syrup", "Sugars", "tbsp"),
    ("Butter", "Dairy", "cup"),
    ("Cream Cheese", "Dairy", "oz"),
    ("Heavy Cream", "Dairy", "cup"),
    ("Buttermilk", "Dairy", "cup"),
    ("Whole Milk", "Dairy", "cup"),
    ("Sour Cream", "Dairy", "cup"),
    ("Eggs", "Dairy", "each"),
    ("Egg Yolks", "Dairy", "each"),
    ("Baking Soda", "Leaveners", "tsp"),
    ("Baking Powder", "Leaveners", "tsp"),
    ("Active Dry Yeast", "Leaveners", "tsp"),
    ("Salt", "Seasonings", "tsp"),
    ("Vanilla Extract", "Flavorings", "tsp"),
    ("Almond Extract", "Flavorings", "tsp"),
    ("Peppermint Extract", "Flavorings", "tsp"),
    ("Ground Cinnamon", "Spices", "tsp"),
    ("Ground Ginger", "Spices", "tsp"),
    ("Ground Nutmeg", "Spices", "tsp"),
    ("Ground Cloves", "Spices", "tsp"),
    ("Ground Cardamom", "Spices", "tsp"),
    ("Allspice", "Spices", "tsp"),
    ("Star Anise", "Spices", "each"),
    ("Semisweet Chocolate Chips", "Chocolate", "cup"),
    ("Dark Chocolate", "Chocolate", "oz"),
    ("White Chocolate", "Chocolate", "oz"),
    ("Cocoa Powder", "Chocolate", "cup"),
    ("Pecans", "Nuts", "cup"),
    ("Walnuts", "Nuts", "cup"),
    ("Almonds", "Nuts", "cup"),
    ("Hazelnuts", "Nuts", "cup"),
    ("Pistachios", "Nuts", "cup"),
    ("Peanut Butter", "Nuts", "cup"),
    ("Shredded Coconut", "Fruit", "cup"),
    ("Raisins", "Fruit", "cup"),
    ("Dried Cranberries", "Fruit", "cup"),
    ("Dried Cherries", "Fruit", "cup"),
    ("Candied Orange Peel", "Fruit", "cup"),
    ("Lemon Zest", "Fruit", "tbsp"),
    ("Orange Juice", "Fruit", "cup"),
    ("Pumpkin Puree", "Fruit", "cup"),
    ("Apple Butter", "Fruit", "cup"),
    ("Raspberry Jam", "Fruit", "cup"),
    ("Espresso Powder", "Flavorings", "tsp"),
    ("Sprinkles", "Decorations", "tbsp"),
]
INGREDIENT_QUALIFIERS = [
    "",
    "Organic",
    "Bulk",
    "Premium",
    "Store-Brand",
    "Local",
    "Fair-Trade",
    "Imported",
    "Farmhouse",
    "Wholesale",
    "Specialty",
    "Co-op",
    "Restaurant-Grade",
    "Fine",
]

RECIPE_STYLES = [
    "Classic",
    "Brown Butter",
    "Spiced",
    "Double",
    "Salted",
    "Toasted",
    "Old-Fashioned",
    "Grandma's",
    "Glazed",
    "Frosted",
    "Rustic",
    "Chewy",
    "Crisp",
    "Soft-Baked",
    "Vegan",
    "Gluten-Free",
    "Mini",
    "Giant",
    "Honeyed",
    "Maple",
]
RECIPE_FLAVORS = [
    "Chocolate Chip",
    "Oatmeal Raisin",
    "Peanut Butter",
    "Gingerbread",
    "Snickerdoodle",
    "Lemon",
    "Orange Cranberry",
    "Pecan",
    "Almond",
    "Hazelnut",
    "Pistachio",
    "Coconut",
    "Peppermint",
    "Eggnog",
    "Pumpkin Spice",
    "Cinnamon",
    "Cardamom",
    "Molasses",
    "Walnut",
    "Raspberry",
    "Apricot",
    "Cherry",
    "Fig",
    "Date",
    "Espresso",
    "Mocha",
    "White Chocolate",
    "Dark Chocolate",
    "Caramel",
    "Toffee",
    "Butterscotch",
    "Vanilla Bean",
    "Matcha",
    "Anise",
    "Chai",
    "Rum Raisin",
    "Blueberry",
    "Apple Cider",
    "Sweet Potato",
    "Sesame",
]


@dataclass(frozen=True)
class Kind:
    """A kind of recipe, and what one batch of it yields."""

    recipe: str
    unit: str
    item_unit: str
    yield_unit: str
    category: str
    per_batch: tuple[int, int]
    minutes: tuple[int, int]


KINDS = [
    Kind("Cookies", "Cookie", "cookie", "cookies", "Cookies", (24, 60), (30, 60)),
    Kind(
        "Sandwich Cookies", "Sandwich Cookie", "cookie", "cookies", "Cookies", (18, 30), (60, 120)
    ),
    Kind("Thumbprints", "Thumbprint", "cookie", "cookies", "Cookies", (30, 48), (45, 75)),
    Kind("Crinkles", "Crinkle", "cookie", "cookies", "Cookies", (24, 40), (40, 70)),
    Kind("Shortbread", "Shortbread Finger", "finger", "fingers", "Cookies", (16, 32), (40, 80)),
    Kind("Biscotti", "Biscotto", "biscotto", "biscotti", "Cookies", (20, 36), (75, 110)),
    Kind("Macarons", "Macaron", "macaron", "macarons", "Cookies", (24, 40), (90, 150)),
    Kind("Madeleines", "Madeleine", "madeleine", "madeleines", "Cookies", (18, 30), (40, 70)),
    Kind("Rugelach", "Rugelach Crescent", "crescent", "crescents", "Pastries", (24, 48), (90, 150)),
    Kind("Brownies", "Brownie", "brownie", "brownies", "Bars", (9, 24), (40, 60)),
    Kind("Blondies", "Blondie", "blondie", "blondies", "Bars", (9, 24), (40, 60)),
    Kind("Bars", "Bar", "bar", "bars", "Bars", (12, 24), (45, 90)),
    Kind("Fudge", "Fudge Square", "square", "squares", "Candy", (25, 64), (30, 60)),
    Kind("Truffles", "Truffle", "truffle", "truffles", "Candy", (20, 48), (60, 120)),
    Kind("Bark", "Bark Piece", "piece", "pieces", "Candy", (15, 30), (20, 40)),
    Kind("Brittle", "Brittle Shard", "shard", "shards", "Candy", (15, 30), (30, 50)),
    Kind("Loaf", "Loaf Slice", "slice", "slices", "Breads", (10, 14), (60, 90)),
    Kind("Muffins", "Muffin", "muffin", "muffins", "Muffins", (12, 24), (30, 45)),
    Kind("Scones", "Scone", "scone", "scones", "Pastries", (8, 16), (35, 50)),
    Kind("Cupcakes", "Cupcake", "cupcake", "cupcakes", "Cakes", (12, 24), (50, 80)),
    Kind("Cake", "Cake Slice", "slice", "slices", "Cakes", (8, 16), (60, 120)),
    Kind("Bundt Cake", "Bundt Cake Slice", "slice", "slices", "Cakes", (12, 16), (70, 100)),
    Kind("Cheesecake", "Cheesecake Slice", "slice", "slices", "Cakes", (10, 16), (90, 240)),
    Kind("Pie", "Pie Slice", "slice", "slices", "Pies", (6, 10), (60, 120)),
    Kind("Tartlets", "Tartlet", "tartlet", "tartlets", "Pies", (12, 24), (60, 100)),
]
# A batch_portion unit takes this share of a batch: (label, percentage).
PORTIONS = [
    ("half", Decimal("50")),
    ("third", Decimal("33.3333")),
    ("quarter", Decimal("25")),
    ("fifth", Decimal("20")),
    ("eighth", Decimal("12.5")),
    ("tenth", Decimal("10")),
]
SOURCES = ["", "", "Grandma's recipe box", "Church cookbook", "Magazine clipping", "Family card"]

GOOD_STYLES = [
    "Festive",
    "Deluxe",
    "Classic",
    "Rustic",
    "Merry",
    "Cozy",
    "Sparkling",
    "Winter",
    "Golden",
    "Little",
    "Grand",
    "Homemade",
    "Jolly",
    "Frosty",
]
GOOD_THEMES = [
    "Cookie",
    "Candy",
    "Brownie",
    "Chocolate",
    "Gingerbread",
    "Shortbread",
    "Truffle",
    "Fudge",
    "Treat",
    "Snowflake",
    "Holly",
    "Peppermint",
    "Nutcracker",
    "Evergreen",
    "Starlight",
    "Sugarplum",
]
GOOD_CONTAINERS = [
    "Gift Box",
    "Tin",
    "Bag",
    "Sampler",
    "Jar",
    "Tray",
    "Platter",
    "Basket",
    "Cone",
    "Stack",
    "Crate",
    "Wreath",
]

PACKAGE_FOR = [
    "Family",
    "Neighbor",
    "Teacher",
    "Office",
    "Coworker",
    "Mail Carrier",
    "Friends",
    "Grandparents",
    "Host",
    "Choir",
    "Book Club",
    "Teammates",
    "Clinic Staff",
    "Babysitter",
]
PACKAGE_STYLES = [
    "Holiday",
    "Deluxe",
    "Starter",
    "Sampler",
    "Classic",
    "Grand",
    "Petite",
    "Sweet",
    "Cozy",
    "Merry",
]
PACKAGE_KINDS = ["Package", "Hamper", "Basket", "Bundle", "Box", "Crate", "Tote"]

FIRST_NAMES = [
    "Aaron",
    "Abigail",
    "Adam",
    "Aisha",
    "Alice",
    "Amir",
    "Ana",
    "Andre",
    "Anna",
    "Ben",
    "Bianca",
    "Bob",
    "Carlos",
    "Carol",
    "Chen",
    "Chloe",
    "Daniel",
    "David",
    "Diana",
    "Elena",
    "Eli",
    "Emma",
    "Ethan",
    "Fatima",
    "Felix",
    "Fiona",
    "George",
    "Grace",
    "Hannah",
    "Hiro",
    "Ian",
    "Isabel",
    "Jack",
    "Jade",
    "James",
    "Jasmine",
    "Jonas",
    "Julia",
    "Kai",
    "Karen",
    "Kenji",
    "Laura",
    "Leo",
    "Lily",
    "Luis",
    "Maya",
    "Mei",
    "Michael",
    "Mia",
    "Nadia",
    "Nathan",
    "Nina",
    "Noah",
    "Olivia",
    "Omar",
    "Paul",
    "Priya",
    "Quinn",
    "Rachel",
    "Raj",
    "Rosa",
    "Sam",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Uma",
    "Victor",
    "Wendy",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zane",
    "Ruth",
    "Hugo",
    "Irene",
    "Oscar",
]
LAST_NAMES = [
    "Adams",
    "Alvarez",
    "Anderson",
    "Baker",
    "Becker",
    "Brown",
    "Campbell",
    "Chen",
    "Clark",
    "Cohen",
    "Costa",
    "Davis",
    "Dubois",
    "Edwards",
    "Evans",
    "Fischer",
    "Flores",
    "Garcia",
    "Gonzalez",
    "Green",
    "Hall",
    "Harris",
    "Hoffmann",
    "Ito",
    "Jackson",
    "Johnson",
    "Kapoor",
    "Kelly",
    "Kim",
    "King",
    "Kowalski",
    "Lee",
    "Lewis",
    "Lopez",
    "Martin",
    "Martinez",
    "Meyer",
    "Miller",
    "Moore",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Perez",
    "Petrov",
    "Quinn",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Schultz",
    "Silva",
    "Singh",
    "Smith",
    "Suzuki",
    "Taylor",
    "Thomas",
    "Torres",
    "Tran",
    "Walker",
    "Wang",
    "Weber",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Yamamoto",
    "Young",
    "Zhang",
    "Ziegler",
    "Haddad",
    "Larsen",
    "Moreau",
]
STREETS = ["Maple", "Oak", "Birch", "Pine", "Cedar", "Elm", "Willow", "Chestnut", "Holly", "Aspen"]
STREET_KINDS = ["Street", "Avenue", "Lane", "Road", "Court", "Drive"]
CITIES = ["Springfield", "Shelbyville", "Capital City", "Ogdenville", "North Haverbrook"]

# (holiday, month, day): a few events a year, named with their year.
HOLIDAYS = [
    ("New Year", 1, 1),
    ("Valentine's Day", 2, 14),
    ("Spring Bake Sale", 4, 12),
    ("Mother's Day", 5, 11),
    ("Halloween", 10, 31),
    ("Thanksgiving", 11, 27),
    ("Winter Bake Sale", 12, 6),
    ("Cookie Exchange", 12, 18),
    ("Christmas", 12, 25),
]
LAST_EVENT_YEAR = 2025

RUN_NOTES = [
    "Trial batch in the new oven",
    "A few broke coming off the tray",
    "Doubled the vanilla",
    "Ran short of butter, used the backup",
    "Oven ran hot; watch the edges",
]
DELIVERED_TO = ["Left with the neighbor", "Front porch", "Handed over at the party", "Mailbox"]


@dataclass(frozen=True)
class Name:
    """A generated name: its words and a number that keeps it unique once combinations run out."""

    words: tuple[str, ...]
    suffix: str = ""

    def __str__(self):
        return " ".join(w for w in self.words if w) + self.suffix

    def replace_last(self, word: str) -> str:
        """Return this name with its last word replaced."""
        return str(Name((*self.words[:-1], word), self.suffix))


@dataclass(frozen=True)
class Sizes:
    """How many records of each kind a synthetic bakery of a given number of runs holds."""

    production_runs: int
    assembly_runs: int
    ingredients: int
    recipes: int
    finished_units: int
    finished_goods: int
    packages: int
    recipients: int
    events: int
    production_targets: int
    assembly_targets: int
    assignments: int

    @classmethod
    def for_runs(cls, runs: int) -> "Sizes":
        """Scale the catalog gently with the runs: ×1 at 20,000 runs, about ×2.7 at 1,000,000."""
        ratio = max(runs, 1) / DEFAULT_RUNS
        # Below the default size the catalog shrinks faster, so that a test's bakery stays small.
        scale = ratio**0.5 if ratio < 1 else ratio**0.25
        scale = min(max(scale, 0.05), 3.0)

        def scaled(base, minimum):
            return max(minimum, round(base * scale))

        recipes = scaled(1000, 10)
        return cls(
            production_runs=runs,
            assembly_runs=runs // 2,
            ingredients=scaled(300, 15),
            recipes=recipes,
            # Every recipe yields one unit; half of them also a portion of a batch.
            finished_units=recipes + recipes // 2,
            finished_goods=scaled(800, 10),
            packages=scaled(300, 5),
            recipients=scaled(2000, 20),
            events=scaled(50, 12),
            production_targets=scaled(400, 10),
            assembly_targets=scaled(300, 10),
            assignments=scaled(5000, 30),
        )


def unique_names(rng: random.Random, parts: list[list[str]], count: int) -> list[Name]:
    """Return count distinct names joining one word of each part, numbered once they run out."""
    combos = list(itertools.product(*parts))
    rng.shuffle(combos)
    names, seen = [], set()
    for round_ in itertools.count(1):
        for words in combos:
            name = Name(words, "" if round_ == 1 else f" {round_}")
            if str(name) not in seen:
                seen.add(str(name))
                names.append(name)
                if len(names) == count:
                    return names
    raise AssertionError("unreachable")


def random_uuid(rng: random.Random) -> uuid.UUID:
    """Return a version 4 uuid drawn from the seeded generator, so runs repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """Return a random amount of cents between low and high, with the project's decimal places."""
    return (Decimal(rng.randint(low, high)) * CENT).quantize(STEP)


def per_unit(total: Decimal, count: int) -> Decimal:
    """Return a total cost shared over count items (zero when nothing came out)."""
    if count <= 0:
        return Decimal(0).quantize(STEP)
    return (total / count).quantize(STEP, rounding=ROUND_HALF_UP)


def moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Return an aware UTC datetime in the working hours of a day."""
    return datetime.datetime(
        day.year, day.month, day.day, rng.randint(7, 20), rng.randint(0, 59), tzinfo=UTC
    )


@dataclass
class Unit:
    """What the run generator needs to know of a finished unit."""

    id: int
    recipe_id: int
    items_per_batch: int


class BakeryGenerator:
    """Write a synthetic bakery: catalog first, then people, events, targets and runs."""

    def __init__(self, runs: int, seed: int, chunk_size: int = CHUNK_SIZE, log=None):
        self.sizes = Sizes.for_runs(runs)
        self.rng = random.Random(seed)
        self.chunk_size = chunk_size
        self.log = log or (lambda message: None)
        self.counts: dict[str, int] = {}

    def bulk(self, model, records):
        """Insert records in chunks; return how many."""
        total = 0
        chunk = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= self.chunk_size:
                model.objects.bulk_create(chunk, batch_size=self.chunk_size)
                total += len(chunk)
                chunk = []
        if chunk:
            model.objects.bulk_create(chunk, batch_size=self.chunk_size)
            total += len(chunk)
        label = model._meta.verbose_name_plural
        self.counts[label] = self.counts.get(label, 0) + total
        self.log(f"{total} {label}")
        return total

    @staticmethod
    def ids(model, names: list[str]) -> list[int]:
        """Return the ids of named records, in the order of names."""
        by_name = dict(model.objects.values_list("name", "id"))
        return [by_name[name] for name in names]

    def generate(self) -> dict[str, int]:
        """Write every kind of record; return the counts by model's plural name."""
        ingredients = self.ingredients()
        recipes = self.recipes(ingredients)
        units = self.finished_units(recipes)
        goods = self.finished_goods(units)
        packages = self.packages(goods)
        recipients = self.recipients()
        events = self.events()
        self.assignments(events, recipients, packages)
        recipe_targets = self.production_targets(events, recipes)
        good_targets = self.assembly_targets(events, goods)
        self.production_runs(events, units, recipe_targets)
        self.assembly_runs(events, goods, good_targets)
        return self.counts

    def ingredients(self) -> list[tuple[int, str]]:
        rng = self.rng
        bases = {name: (category, unit) for name, category, unit in INGREDIENT_BASES}
        names = unique_names(rng, [INGREDIENT_QUALIFIERS, list(bases)], self.sizes.ingredients)
        records = []
        for name in names:
            category, unit = bases[name.words[-1]]
            records.append(Ingredient(name=str(name), category=category, recipe_unit=unit))
        self.bulk(Ingredient, records)
        ids = self.ids(Ingredient, [r.name for r in records])
        return list(zip(ids, (r.recipe_unit for r in records), strict=True))

    def recipes(self, ingredients) -> list[tuple[int, Name, Kind, Decimal]]:
        rng = self.rng
        kinds = {kind.recipe: kind for kind in KINDS}
        names = unique_names(rng, [RECIPE_STYLES, RECIPE_FLAVORS, list(kinds)], self.sizes.recipes)
        records = []
        for name in names:
            kind = kinds[name.words[-1]]
            low, high = kind.per_batch
            records.append(
                Recipe(
                    name=str(name),
                    category=kind.category,
                    yield_quantity=Decimal(rng.randint(low, high)).quantize(STEP),
                    yield_unit=kind.yield_unit,
                    source=rng.choice(SOURCES),
                    estimated_time_minutes=rng.randint(*kind.minutes)
                    if rng.random() < 0.9
                    else None,
                    notes="Chill the dough overnight." if rng.random() < 0.05 else "",
                )
            )
        self.bulk(Recipe, records)
        ids = self.ids(Recipe, [r.name for r in records])

        def lines():
            for recipe_id in ids:
                for ingredient_id, unit in rng.sample(ingredients, rng.randint(5, 11)):
                    yield RecipeIngredient(
                        recipe_id=recipe_id,
                        ingredient_id=ingredient_id,
                        quantity=(Decimal(rng.randint(1, 48)) / 8).quantize(STEP),
                        unit=unit,
                    )

        self.bulk(RecipeIngredient, lines())
        return [
            (recipe_id, name, kinds[name.words[-1]], record.yield_quantity)
            for recipe_id, name, record in zip(ids, names, records, strict=True)
        ]

    def finished_units(self, recipes) -> list[Unit]:
        rng = self.rng
        records, yields = [], []
        portioned = set(rng.sample(range(len(recipes)), len(recipes) // 2))
        for index, (recipe_id, recipe_name, kind, yield_quantity) in enumerate(recipes):
            records.append(
                FinishedUnit(
                    name=recipe_name.replace_last(kind.unit),
                    recipe_id=recipe_id,
                    yield_mode=YieldMode.DISCRETE_COUNT,
                    items_per_batch=int(yield_quantity),
                    item_unit=kind.item_unit,
                    inventory_count=rng.randint(0, 60),
                )
            )
            yields.append(int(yield_quantity))
            if index in portioned:
                label, percentage = rng.choice(PORTIONS)
                records.append(
                    FinishedUnit(
                        name=f"{recipe_name} ({label} batch)",
                        recipe_id=recipe_id,
                        yield_mode=YieldMode.BATCH_PORTION,
                        batch_percentage=percentage.quantize(STEP),
                        item_unit=f"{label} batch",
                        inventory_count=rng.randint(0, 6),
                    )
                )
                yields.append(int(Decimal(100) / percentage))
        self.bulk(FinishedUnit, records)
        ids = self.ids(FinishedUnit, [r.name for r in records])
        return [
            Unit(unit_id, record.recipe_id, per_batch)
            for unit_id, record, per_batch in zip(ids, records, yields, strict=True)
        ]

    def finished_goods(self, units: list[Unit]) -> list[int]:
        """Write goods and their components; a good only contains goods written before it."""
        rng = self.rng
        names = [
            str(name)
            for name in unique_names(
                rng, [GOOD_STYLES, GOOD_THEMES, GOOD_CONTAINERS], self.sizes.finished_goods
            )
        ]
        records = [
            FinishedGood(
                name=name,
                description=f"A {name.lower()} of holiday treats.",
                inventory_count=rng.randint(0, 20),
            )
            for name in names
        ]
        self.bulk(FinishedGood, records)
        ids = self.ids(FinishedGood, names)

        def components():
            for index, good_id in enumerate(ids):
                parts = [("unit", u.id) for u in rng.sample(units, rng.randint(1, 4))]
                # About a quarter of the goods nest one or two earlier goods (a tin of boxes).
                if index >= 5 and rng.random() < 0.25:
                    parts += [("good", g) for g in rng.sample(ids[:index], rng.randint(1, 2))]
                    rng.shuffle(parts)
                for order, (kind, component_id) in enumerate(parts):
                    yield Composition(
                        assembly_id=good_id,
                        finished_unit_id=component_id if kind == "unit" else None,
                        finished_good_id=component_id if kind == "good" else None,
                        quantity=rng.randint(1, 12) if kind == "unit" else rng.randint(1, 3),
                        sort_order=order,
                    )

        self.bulk(Composition, components())
        return ids

    def packages(self, goods: list[int]) -> list[int]:
        rng = self.rng
        names = [
            str(name)
            for name in unique_names(
                rng, [PACKAGE_FOR, PACKAGE_STYLES, PACKAGE_KINDS], self.sizes.packages
            )
        ]
        records = [
            Package(
                name=name,
                is_template=rng.random() < 0.1,
                description=f"A {name.lower()} of assorted gifts.",
            )
            for name in names
        ]
        self.bulk(Package, records)
        ids = self.ids(Package, names)
        self.bulk(
            PackageFinishedGood,
            (
                PackageFinishedGood(
                    package_id=package_id, finished_good_id=good_id, quantity=rng.randint(1, 3)
                )
                for package_id in ids
                for good_id in rng.sample(goods, rng.randint(1, 4))
            ),
        )
        return ids

    def recipients(self) -> list[int]:
        rng = self.rng
        names = unique_names(rng, [FIRST_NAMES, LAST_NAMES], self.sizes.recipients)
        records = []
        for name in names:
            last = name.words[-1]
            records.append(
                Recipient(
                    name=str(name),
                    household_name=f"{last} family" if rng.random() < 0.6 else "",
                    address=f"{rng.randint(1, 999)} {rng.choice(STREETS)} "
                    f"{rng.choice(STREET_KINDS)}, {rng.choice(CITIES)}",
                )
            )
        self.bulk(Recipient, records)
        return self.ids(Recipient, [r.name for r in records])

    def events(self) -> list[tuple[int, datetime.date]]:
        """Write the latest events up to the last event year; return them oldest first."""
        count = self.sizes.events
        dates = []
        for year in itertools.count(LAST_EVENT_YEAR, -1):
            for holiday, month, day in reversed(HOLIDAYS):
                dates.append((f"{holiday} {year}", datetime.date(year, month, day)))
            if len(dates) >= count:
                break
        dates = sorted(dates[:count], key=lambda item: item[1])
        records = [
            Event(
                name=name,
                event_date=day,
                year=day.year,
                notes="Cookie swap at the community hall." if self.rng.random() < 0.2 else "",
            )
            for name, day in dates
        ]
        self.bulk(Event, records)
        ids = self.ids(Event, [name for name, _ in dates])
        return [(event_id, day) for event_id, (_, day) in zip(ids, dates, strict=True)]

    def spread(self, events, total: int) -> list[int]:
        """Share total items over the events, each getting at least one when there are enough."""
        shares = [1 + self.rng.random() for _ in events]
        scale = total / sum(shares)
        counts = [int(share * scale) for share in shares]
        for index in range(total - sum(counts)):
            counts[index % len(counts)] += 1
        return counts

    def assignments(self, events, recipients, packages):
        """Package assignments; old events are mostly delivered, the latest mostly pending."""
        rng = self.rng
        statuses = list(FulfillmentStatus)
        recent = max(1, len(events) // 10)

        def records():
            per_event = self.spread(events, self.sizes.assignments)
            for position, ((event_id, _), count) in enumerate(zip(events, per_event, strict=True)):
                weights = [5, 10, 85] if position < len(events) - recent else [50, 30, 20]
                pairs = set()
                while len(pairs) < min(count, len(recipients) * len(packages)):
                    pairs.add((rng.choice(recipients), rng.choice(packages)))
                for recipient_id, package_id in sorted(pairs):
                    status = rng.choices(statuses, weights)[0]
                    delivered = status == FulfillmentStatus.DELIVERED and rng.random() < 0.3
                    yield EventRecipientPackage(
                        event_id=event_id,
                        recipient_id=recipient_id,
                        package_id=package_id,
                        quantity=1 if rng.random() < 0.85 else rng.randint(2, 4),
                        fulfillment_status=status,
                        delivered_to=rng.choice(DELIVERED_TO) if delivered else "",
                    )

        self.bulk(EventRecipientPackage, records())

    def targets(self, events, choices, total) -> dict[int, list[int]]:
        """Pick distinct targeted choices per event; return them by event id."""
        per_event = self.spread(events, total)
        return {
            event_id: self.rng.sample(choices, min(count, len(choices)))
            for (event_id, _), count in zip(events, per_event, strict=True)
        }

    def production_targets(self, events, recipes) -> dict[int, list[int]]:
        rng = self.rng
        chosen = self.targets(events, [r[0] for r in recipes], self.sizes.production_targets)
        self.bulk(
            EventProductionTarget,
            (
                EventProductionTarget(
                    event_id=event_id,
                    recipe_id=recipe_id,
                    target_batches=rng.randint(1, 12),
                    notes="Need extras for neighbors" if rng.random() < 0.05 else "",
                )
                for event_id, recipe_ids in chosen.items()
                for recipe_id in recipe_ids
            ),
        )
        return chosen

    def assembly_targets(self, events, goods) -> dict[int, list[int]]:
        rng = self.rng
        chosen = self.targets(events, goods, self.sizes.assembly_targets)
        self.bulk(
            EventAssemblyTarget,
            (
                EventAssemblyTarget(
                    event_id=event_id,
                    finished_good_id=good_id,
                    target_quantity=rng.randint(2, 40),
                )
                for event_id, good_ids in chosen.items()
                for good_id in good_ids
            ),
        )
        return chosen

    def run_slots(self, events, total):
        """Yield (event id or None, day) for total runs: a tenth standalone, the rest for events."""
        rng = self.rng
        first = events[0][1] - datetime.timedelta(days=60)
        span = (events[-1][1] - first).days
        for _ in range(total):
            if rng.random() < 0.1:
                yield None, first + datetime.timedelta(days=rng.randint(0, span))
            else:
                event_id, day = rng.choice(events)
                yield event_id, day - datetime.timedelta(days=rng.randint(0, 45))

    def production_runs(self, events, units: list[Unit], targets):
        rng = self.rng
        by_recipe: dict[int, list[Unit]] = {}
        for unit in units:
            by_recipe.setdefault(unit.recipe_id, []).append(unit)

        def records():
            for event_id, day in self.run_slots(events, self.sizes.production_runs):
                # Most of an event's runs bake what the event targets, so progress moves.
                targeted = targets.get(event_id) if event_id else None
                if targeted and rng.random() < 0.7:
                    unit = rng.choice(by_recipe[rng.choice(targeted)])
                else:
                    unit = rng.choice(units)
                batches = rng.randint(1, 6)
                expected = unit.items_per_batch * batches
                actual = max(0, expected - rng.randint(0, max(1, expected // 10)))
                total = money(rng, 300, 4000) * batches
                yield ProductionRun(
                    uuid=random_uuid(rng),
                    recipe_id=unit.recipe_id,
                    finished_unit_id=unit.id,
                    event_id=event_id,
                    num_batches=batches,
                    expected_yield=expected,
                    actual_yield=actual,
                    produced_at=moment(rng, day),
                    total_ingredient_cost=total,
                    per_unit_cost=per_unit(total, actual),
                    notes=rng.choice(RUN_NOTES) if rng.random() < 0.05 else "",
                )

        self.bulk(ProductionRun, records())

    def assembly_runs(self, events, goods: list[int], targets):
        rng = self.rng

        def records():
            for event_id, day in self.run_slots(events, self.sizes.assembly_runs):
                targeted = targets.get(event_id) if event_id else None
                good_id = rng.choice(targeted if targeted and rng.random() < 0.7 else goods)
                quantity = rng.randint(1, 20)
                total = money(rng, 200, 3000) * quantity
                yield AssemblyRun(
                    uuid=random_uuid(rng),
                    finished_good_id=good_id,
                    event_id=event_id,
                    quantity_assembled=quantity,
                    assembled_at=moment(rng, day),
                    total_component_cost=total,
                    per_unit_cost=per_unit(total, quantity),
                    notes="For the office party" if rng.random() < 0.03 else "",
                )

        self.bulk(AssemblyRun, records())


def existing_records() -> int:
    """Return how many bakery and production records the database holds."""
    return sum(model.objects.count() for model in seeded_models())


def generate_bakery(runs: int, seed: int = DEFAULT_SEED, log=None) -> dict[str, int]:
    """Fill an empty database with a synthetic bakery of this many production runs.

    Return the number of records written per model; raise ValueError if the database is
    not empty.
    """
    with transaction.atomic():
        count = existing_records()
        if count:
            raise ValueError(NOT_EMPTY.format(count=count))
        return BakeryGenerator(runs, seed, log=log).generate()


class Command(ProjectCommand):
    help = (
        "Fill an empty database with a synthetic bakery for benchmarks: a catalog of "
        "thousands, events over years, targets, package assignments in every status, "
        "N production runs and N/2 assembly runs. The same seed gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--runs",
            type=int,
            default=DEFAULT_RUNS,
            metavar="N",
            help=f"Production runs to write (default {DEFAULT_RUNS}); assembly runs are N/2.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            metavar="S",
            help=f"Seed of the random generator (default {DEFAULT_SEED}).",
        )

    def handle(self, *args, runs, seed, verbosity, **options):
        if runs < 1:
            raise CommandError(f"--runs must be at least 1, got {runs}.", returncode=2)
        started = time.perf_counter()

        def log(message):
            if verbosity >= 2:
                self.stderr.write(f"  {time.perf_counter() - started:7.1f}s  {message}")

        try:
            counts = generate_bakery(runs, seed, log=log)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from None
        if verbosity >= 1:
            total = sum(counts.values())
            details = ", ".join(f"{count} {label}" for label, count in counts.items())
            self.stdout.write(
                f"Generated a synthetic bakery (seed {seed}) of {total} records in "
                f"{time.perf_counter() - started:.1f}s: {details}."
            )
