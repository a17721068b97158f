"""Read a bake-tracker backup (the desktop app's JSON, versions 3.0 to 4.1) as an exchange
document, and import it with every guarantee of our own format.

A backup is recognized by its header ("application": "bake-tracker"), then read by its shape:
each key is read where it is found, whatever the version string says. The translation gives
records of our sections, each with the place it came from in the backup, so that every
problem, the translation's or the importer's, is located with the backup's own section names
and indexes. What has no home here is counted per section and field, and what was inferred
is said; both are the report shown after the import's table. docs/bake-tracker.md has the
mapping.
"""

import datetime
import io
import json
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from bakery.names import normalize_name

from .codecs import aware_datetime
from .document import Header, Record, iter_document
from .errors import ExchangeError, Invalid, Problem, json_type, message, shown
from .importer import DEFAULT_ERROR_LIMIT, Importer, import_document
from .results import ImportResult
from .schema import FORMAT, SECTION_BY_KEY, SECTIONS, VERSION
from .streams import SizeLimitExceeded, Source, temporary_space

APPLICATION = "bake-tracker"
READS = "3.0 to 4.1"
MAJORS = (3, 4)
# Runs get uuids derived from their content in this namespace: the same backup gives the
# same uuids, so importing it again creates no run.
RUN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kentonium3/bake-tracker")
# How the app's older package status reads as our fulfillment status.
STATUS_TO_FULFILLMENT = {"pending": "pending", "assembled": "ready", "delivered": "delivered"}
FULFILLMENT = ("pending", "ready", "delivered")

TEXTS = {
    "version": "a bake-tracker backup of version {value}: this bakery reads versions "
    + READS
    + " (3.x and 4.x)",
    "unknown_slug": "no {kind} with the slug {value!r} in the backup",
    "category_node": "{value!r} is a category of the ingredient hierarchy, not an ingredient",
    "no_unit": "the backup does not say which finished unit this run made, and recipe "
    "{recipe!r} has {candidates}: give the run's finished unit in the backup or keep one",
    "same_name": "{kind} {name!r} is also the name of {other}, and names are unique here: "
    "rename one of them in the backup (they differ)",
    "no_package": "no package named {value!r} in the backup's packages",
    "status": "must be one of pending | assembled | delivered to give fulfillment_status, "
    "got {value}",
    "no_yield": "the backup gives no yield for this recipe and it cannot be inferred: the recipe "
    "has {candidates}; add yield_quantity and yield_unit to the recipe in the backup, or give it "
    "one finished unit counted per batch (items_per_batch)",
    "rounds_to_zero": "{value} rounds to 0 at 4 decimal places (this bakery's precision), and "
    "must be greater than 0",
}
# The precision of our decimals: the app's floats with more places are read rounded to it.
QUANTUM = Decimal("0.0001")


def _problem(location: str, code: str, **params) -> Problem:
    text = TEXTS[code].format(**params) if code in TEXTS else message(code, **params)
    return Problem(location, code, text)


def _slug(name) -> str:
    """Return the slug the app derives from a name ("Sugar Cookies" -> "sugar_cookies")."""
    return str(name).lower().replace(" ", "_")


def _meaningful(value) -> bool:
    """Whether a value carries something (the app omits or nulls what is empty)."""
    return value not in (None, "", False) and value != [] and value != {}


def _integral(value):
    """Return a whole number written as a float (2.0) as an int; others as they are."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _timestamp(value):
    """Return the app's timestamp in our format: naive + "Z" and "+00:00Z" read as UTC.

    Anything else is given as it is, for the importer to accept or refuse, located.
    """
    if isinstance(value, str) and value.endswith("Z"):
        body = value[:-1]
        if re.search(r"[+-][0-9]{2}:?[0-9]{2}\Z", body[10:]):
            return body
    return value


def _canonical_time(value):
    """Return a timestamp as one text for one instant (UTC), or the value as it is."""
    text = _timestamp(value)
    if not isinstance(text, str):
        return value
    try:
        return aware_datetime(text).astimezone(datetime.UTC).isoformat()
    except Invalid:
        return value


@dataclass
class Origin:
    """Where a translated record came from: its backup location, our keys -> the backup's,
    and the origins of its nested records."""

    location: str
    fields: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    def locate(self, key: str) -> str:
        return f"{self.location}.{self.fields.get(key, key)}"


class Report:
    """What was not imported (per backup section and field) and what was inferred."""

    def __init__(self):
        self.no_home: Counter = Counter()
        self.units: dict[str, str] = {}
        self.inferred: Counter = Counter()
        self.not_imported: list[str] = []

    def lost(self, label: str, count: int = 1, unit: str = "records"):
        self.no_home[label] += count
        self.units[label] = unit

    def lines(self, version) -> list[str]:
        lines = [f"From a bake-tracker backup (version {version}):"]
        if self.no_home or self.not_imported:
            lines.append("Not imported (no home here):")
            for label, count in self.no_home.items():
                unit = self.units[label]
                if count == 1:
                    unit = {"records": "record", "values": "value", "items": "item"}[unit]
                lines.append(f"  {label}: {count} {unit}")
            lines.extend(f"  {line}" for line in self.not_imported)
        else:
            lines.append("Everything in the backup has a home here.")
        if self.inferred:
            lines.append("Inferred (not in the backup):")
            lines.extend(f"  {text}: {count}" for text, count in self.inferred.items())
        return lines


class _Taken:
    """A backup record being read: the keys read are marked; the rest has no home here."""

    def __init__(self, location: str, index: int, record: dict, label: str | None = None):
        self.record = record
        self.location = f"{location}[{index}]"
        # How the report names the record's section: "recipes.ingredients" for a nested one.
        self.label = label or location
        self.used: set[str] = set()

    def get(self, key, default=None):
        self.used.add(key)
        return self.record.get(key, default)

    def has(self, key) -> bool:
        return key in self.record

    def leftovers(self, report: Report):
        for key, value in self.record.items():
            if key in self.used or not _meaningful(value):
                continue
            if isinstance(value, list):
                report.lost(f"{self.label}.{key}", len(value), "items")
            else:
                report.lost(f"{self.label}.{key}", 1, "values")


# What each backup section becomes: read by a method of Translator, or no home here.
READ_SECTIONS = (
    "ingredients",
    "recipes",
    "finished_units",
    "finished_goods",
    "compositions",
    "packages",
    "package_finished_goods",
    "recipients",
    "events",
    "event_recipient_packages",
    "event_production_targets",
    "event_assembly_targets",
    "production_runs",
    "production_records",
    "assembly_runs",
)
HEADER = ("version", "exported_at", "application")


class Translator:
    """Translate a loaded backup into records of our sections, with their origins."""

    def __init__(self, backup: dict):
        self.backup = backup
        self.report = Report()
        self.problems: list[Problem] = []
        # Our section -> [(record, Origin)] in the order they are made.
        self.records: dict[str, list] = {s.key: [] for s in SECTIONS}
        self.top = {key: i for i, key in enumerate(backup)}

    # Reading the backup.

    def section(self, key: str) -> list[tuple[int, dict]]:
        """Return a backup section's records that are objects; refuse what is not."""
        value = self.backup.get(key, [])
        if not isinstance(value, list):
            self.refuse(key, "section_type", got=json_type(value))
            return []
        rows = []
        for index, record in enumerate(value):
            if isinstance(record, dict):
                rows.append((index, record))
            else:
                self.refuse(f"{key}[{index}]", "record_type", got=json_type(record))
        return rows

    def refuse(self, location: str, code: str, **params):
        self.problems.append(_problem(location, code, **params))

    def rounded(self, row: "_Taken", key: str, positive: bool = False):
        """Return a key's number rounded half-even to our 4 decimal places (the app stores
        floats), said in the report; refuse one that rounds to 0 where 0 is not allowed.
        Return False when refused; anything but a number with more places is returned as it
        is, for the importer to check."""
        value = row.get(key)
        if not isinstance(value, Decimal) or not value.is_finite():
            return value
        if value.as_tuple().exponent >= -4:
            return value
        exact = value.quantize(QUANTUM, rounding=ROUND_HALF_EVEN)
        if positive and value > 0 and not exact:
            self.refuse(f"{row.location}.{key}", "rounds_to_zero", value=shown(value))
            return False
        self.report.inferred[
            f"{row.label}.{key}: rounded half-even to 4 decimal places (more in the backup)"
        ] += 1
        return exact if exact else abs(exact)

    def add(self, section: str, record: dict, origin: Origin):
        self.records[section].append((record, origin))

    def translate(self):
        self._lookups()
        for key in READ_SECTIONS:
            getattr(self, f"_read_{key}")()
        for key, value in self.backup.items():
            if key in HEADER or key in READ_SECTIONS:
                continue
            count = len(value) if isinstance(value, list) else 1
            if count:
                self.report.lost(key, count)
        self._refuse_same_names()
        return self

    def _lookups(self):
        """Index the backup's own records: slugs to names, recipes' finished units."""
        self.ingredient_slugs, self.category_slugs = {}, set()
        parents = set()
        ingredients = self.section("ingredients")
        for _, record in ingredients:
            if record.get("parent_slug"):
                parents.add(record["parent_slug"])
        self.ingredient_by_slug = {}
        for _, record in ingredients:
            name = record.get("display_name", record.get("name"))
            slug = record.get("slug")
            self.ingredient_by_slug[slug] = record
            for key in (slug, _slug(name) if name else None):
                if key:
                    self.ingredient_slugs.setdefault(key, name)
            level = record.get("hierarchy_level")
            if slug in parents or (isinstance(level, int) and level < 2):
                self.category_slugs.add(slug)
        self.recipe_slugs = {
            _slug(r["name"]): r["name"] for _, r in self.section("recipes") if r.get("name")
        }
        self.unit_slugs, self.recipe_units = {}, defaultdict(list)
        for _, record in self.section("finished_units"):
            recipe = self._recipe_of(record)
            self.unit_slugs[record.get("slug")] = record.get("display_name")
            self.recipe_units[recipe].append(record)
        for _, recipe in self.section("recipes"):
            for unit in recipe.get("finished_units") or []:
                if isinstance(unit, dict) and unit.get("slug") not in self.unit_slugs:
                    self.unit_slugs[unit.get("slug")] = unit.get("name")
                    self.recipe_units[recipe.get("name")].append(_nested_unit(unit))
        self.good_slugs = {
            r.get("slug"): r.get("display_name") for _, r in self.section("finished_goods")
        }
        self.event_slugs = {
            _slug(r["name"]): r["name"] for _, r in self.section("events") if r.get("name")
        }
        self.package_names = {r.get("name") for _, r in self.section("packages")}
        self.package_slugs = {_slug(n): n for n in self.package_names if n}

    def _recipe_of(self, record: dict):
        if "recipe_name" in record:
            return record["recipe_name"]
        slug = record.get("recipe_slug")
        return self.recipe_slugs.get(slug, slug)

    def resolve(self, row: _Taken, keys: tuple[str, ...], slugs: dict | None, kind: str):
        """Return the name a record refers to by one of keys: a name as it is, a slug (a key
        ending in _slug) through the backup's own records. Return (name, backup key)."""
        for key in keys:
            if not row.has(key):
                continue
            value = row.get(key)
            if value is None or not key.endswith("_slug") or slugs is None:
                return value, key
            if value in slugs:
                return slugs[value], key
            self.refuse(f"{row.location}.{key}", "unknown_slug", kind=kind, value=value)
            return False, key
        return None, keys[0]

    # The catalog.

    def _read_ingredients(self):
        for index, record in self.section("ingredients"):
            row = _Taken("ingredients", index, record)
            slug = row.get("slug")
            row.get("hierarchy_level")
            row.get("parent_slug")
            if slug in self.category_slugs:
                self.report.inferred[
                    "ingredients: category nodes of the hierarchy, made the category of their "
                    "ingredients (not ingredients here)"
                ] += 1
                row.get("display_name"), row.get("name"), row.get("category")
                row.leftovers(self.report)
                continue
            name_key = "display_name" if row.has("display_name") else "name"
            out = {"name": row.get(name_key)}
            fields = {"name": name_key}
            path = self._ancestors(record)
            if path:
                out["category"] = " / ".join(path)
                fields["category"] = "parent_slug"
                row.get("category")
                self.report.inferred["ingredients: category from the hierarchy above them"] += 1
            elif row.has("category"):
                out["category"] = row.get("category")
            for key in ("recipe_unit", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            if name_key == "display_name":
                row.get("name")
            row.leftovers(self.report)
            self.add("ingredients", out, Origin(row.location, fields))

    def _ancestors(self, record: dict) -> list[str]:
        """Return the names of an ingredient's categories, from the root down."""
        path, seen = [], set()
        parent = record.get("parent_slug")
        while parent and parent not in seen and parent in self.ingredient_by_slug:
            seen.add(parent)
            node = self.ingredient_by_slug[parent]
            path.insert(0, str(node.get("display_name", node.get("name"))))
            parent = node.get("parent_slug")
        return path

    def _read_recipes(self):
        for index, record in self.section("recipes"):
            row = _Taken("recipes", index, record)
            out, fields = {}, {}
            for key in (
                "name",
                "category",
                "yield_unit",
                "source",
                "estimated_time_minutes",
                "notes",
            ):
                if row.has(key):
                    out[key] = row.get(key)
            if row.get("yield_quantity") is not None:
                out["yield_quantity"] = self.rounded(row, "yield_quantity")
            else:
                self._infer_yield(row, out)
            children, origins = [], []
            for j, item in enumerate(row.get("ingredients") or []):
                child = _Taken(f"{row.location}.ingredients", j, item, "recipes.ingredients")
                name, key = self.resolve(
                    child, ("ingredient_slug",), self.ingredient_slugs, "ingredient"
                )
                if name is False:
                    continue
                if child.get("ingredient_slug") in self.category_slugs:
                    self.refuse(child.location + ".ingredient_slug", "category_node", value=name)
                    continue
                line = {"ingredient_name": name}
                for k in ("unit", "notes"):
                    if child.has(k):
                        line[k] = child.get(k)
                if child.has("quantity"):
                    line["quantity"] = self.rounded(child, "quantity", positive=True)
                    if line["quantity"] is False:
                        continue
                child.leftovers(self.report)
                first = next((c for c in children if c["ingredient_name"] == name), None)
                if first is not None:
                    # The app let a recipe hold an ingredient twice (an orange's juice and its
                    # peel); here it holds it once: the further line is kept, in words, in the
                    # first one's notes, and the report says so.
                    first["notes"] = "; ".join(
                        n for n in (first.get("notes"), _line_words(line)) if n
                    )
                    self.report.inferred[
                        "recipes.ingredients: a repeated ingredient's line kept in the notes of "
                        "its first line"
                    ] += 1
                    continue
                children.append(line)
                origins.append(Origin(child.location, {"ingredient_name": key}))
            out["ingredients"] = children
            components = row.get("components") or []
            if components:
                self.report.lost("recipes.components (sub-recipes)", len(components), "items")
            units = row.get("finished_units") or []
            row.leftovers(self.report)
            self.add("recipes", out, Origin(row.location, fields, origins))
            for j, unit in enumerate(units):
                if isinstance(unit, dict) and not any(
                    r.get("slug") == unit.get("slug") for _, r in self.section("finished_units")
                ):
                    self._add_unit(
                        _Taken(f"{row.location}.finished_units", j, unit, "recipes.finished_units"),
                        record.get("name"),
                        nested=True,
                    )

    def _infer_yield(self, row: "_Taken", out: dict) -> bool:
        """Give a recipe without a yield (4.1 since F056 writes none) the yield of its only
        finished unit counted per batch: items per batch, in its item unit (else its name).
        Refuse the recipe, located, when the backup does not determine it."""
        name = out.get("name")
        units = self.recipe_units.get(name, [])
        unit = units[0] if len(units) == 1 else None
        per_batch = unit.get("items_per_batch") if unit else None
        if (
            unit is None
            or unit.get("yield_mode") not in (None, "discrete_count")
            or isinstance(per_batch, bool)
            or not isinstance(per_batch, int | Decimal)
            or per_batch <= 0
        ):
            if units and unit is not None:
                candidates = (
                    f"one finished unit, {unit.get('display_name')!r}, not counted per batch"
                )
            else:
                candidates = self._candidates(name)
            self.refuse(f"{row.location}.yield_quantity", "no_yield", candidates=candidates)
            # Refused: nothing is written; the recipe is still read, so that what refers to
            # it is checked and no second problem is said here.
            out["yield_quantity"] = 0
            return False
        out["yield_quantity"] = per_batch
        self.report.inferred[
            "recipes: yield_quantity from the recipe's only finished unit (items per batch)"
        ] += 1
        if not out.get("yield_unit"):
            out["yield_unit"] = unit.get("item_unit") or unit.get("display_name") or ""
            self.report.inferred[
                "recipes: yield_unit from that finished unit (its item unit, else its name)"
            ] += 1
        return True

    def _read_finished_units(self):
        for index, record in self.section("finished_units"):
            row = _Taken("finished_units", index, record)
            recipe, key = self.resolve(
                row, ("recipe_name", "recipe_slug"), self.recipe_slugs, "recipe"
            )
            if recipe is False:
                continue
            self._add_unit(row, recipe, recipe_key=key)

    def _add_unit(self, row: _Taken, recipe, recipe_key="recipe_name", nested=False):
        row.get("slug")
        if nested:
            out = {"name": row.get("name"), "recipe_name": recipe}
            fields = {"recipe_name": "(the recipe holding it)"}
            if row.get("yield_mode") is not None:
                out["yield_mode"] = row.get("yield_mode")
            if row.has("unit_yield_quantity"):
                out["items_per_batch"] = _integral(row.get("unit_yield_quantity"))
                fields["items_per_batch"] = "unit_yield_quantity"
            if row.has("unit_yield_unit"):
                out["item_unit"] = row.get("unit_yield_unit")
                fields["item_unit"] = "unit_yield_unit"
        else:
            out = {"name": row.get("display_name"), "recipe_name": recipe}
            fields = {"name": "display_name", "recipe_name": recipe_key}
            if row.get("yield_mode") is not None:
                out["yield_mode"] = row.get("yield_mode")
            for key in ("items_per_batch", "item_unit", "inventory_count", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            if row.has("batch_percentage"):
                out["batch_percentage"] = self.rounded(row, "batch_percentage", positive=True)
                if out["batch_percentage"] is False:
                    del out["batch_percentage"]
        row.leftovers(self.report)
        self.add("finished_units", out, Origin(row.location, fields))

    def _read_finished_goods(self):
        for index, record in self.section("finished_goods"):
            row = _Taken("finished_goods", index, record)
            row.get("slug")
            out = {"name": row.get("display_name")}
            for key in ("description", "inventory_count", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            row.leftovers(self.report)
            # The components come from the compositions section, read next.
            out["components"] = []
            self.add("finished_goods", out, Origin(row.location, {"name": "display_name"}))
        self.goods = {o["name"]: (o, origin) for o, origin in self.records["finished_goods"]}

    def _read_compositions(self):
        for index, record in self.section("compositions"):
            row = _Taken("compositions", index, record)
            if record.get("packaging_product_id") is not None or record.get(
                "packaging_ingredient_slug"
            ):
                self.report.lost("compositions with a packaging component")
                continue
            if record.get("material_unit_slug"):
                self.report.lost("compositions with a material component")
                continue
            if record.get("finished_good_slug") is None:
                self.report.lost("compositions of a package (packaging)")
                continue
            parent, _ = self.resolve(row, ("finished_good_slug",), self.good_slugs, "finished good")
            if parent is False:
                continue
            child, fields = {}, {}
            unit, unit_key = self.resolve(
                row, ("finished_unit_slug",), self.unit_slugs, "finished unit"
            )
            good, good_key = self.resolve(
                row, ("finished_good_component_slug",), self.good_slugs, "finished good"
            )
            if unit is False or good is False:
                continue
            child["finished_unit_name"], fields["finished_unit_name"] = unit, unit_key
            child["finished_good_name"], fields["finished_good_name"] = good, good_key
            child["quantity"], fields["quantity"] = (
                _integral(row.get("component_quantity")),
                "component_quantity",
            )
            if row.has("sort_order"):
                child["sort_order"] = row.get("sort_order")
            for key in (
                "package_name",
                "packaging_product_id",
                "packaging_ingredient_slug",
                "packaging_product_brand",
            ):
                row.get(key)
            row.leftovers(self.report)
            out, origin = self.goods.get(parent, (None, None))
            if out is None:
                continue
            out["components"].append(child)
            origin.children.append(Origin(row.location, fields))

    def _read_packages(self):
        for index, record in self.section("packages"):
            row = _Taken("packages", index, record)
            out = {}
            for key in ("name", "is_template", "description", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            out["contents"] = []
            row.leftovers(self.report)
            self.add("packages", out, Origin(row.location))
        self.package_records = {o["name"]: (o, origin) for o, origin in self.records["packages"]}

    def _read_package_finished_goods(self):
        for index, record in self.section("package_finished_goods"):
            row = _Taken("package_finished_goods", index, record)
            package, package_key = self.resolve(
                row, ("package_name", "package_slug"), self.package_slugs, "package"
            )
            good, good_key = self.resolve(
                row, ("finished_good_slug",), self.good_slugs, "finished good"
            )
            if package is False or good is False:
                continue
            if package not in self.package_records:
                self.refuse(f"{row.location}.{package_key}", "no_package", value=package)
                continue
            out, origin = self.package_records[package]
            out["contents"].append({"finished_good_name": good, "quantity": row.get("quantity")})
            row.leftovers(self.report)
            origin.children.append(Origin(row.location, {"finished_good_name": good_key}))

    def _read_recipients(self):
        self._plain("recipients", ("name", "household_name", "address", "notes"))

    def _read_events(self):
        self._plain("events", ("name", "event_date", "year", "notes"))

    def _plain(self, section: str, keys: tuple[str, ...]):
        for index, record in self.section(section):
            row = _Taken(section, index, record)
            out = {key: row.get(key) for key in keys if row.has(key)}
            row.leftovers(self.report)
            self.add(section, out, Origin(row.location))

    # What is the events'.

    def _event(self, row: _Taken):
        return self.resolve(row, ("event_name", "event_slug"), self.event_slugs, "event")

    def _read_event_recipient_packages(self):
        for index, record in self.section("event_recipient_packages"):
            row = _Taken("event_recipient_packages", index, record)
            event, event_key = self._event(row)
            package, package_key = self.resolve(
                row, ("package_name", "package_slug"), self.package_slugs, "package"
            )
            if event is False or package is False:
                continue
            out = {
                "event_name": event,
                "recipient_name": row.get("recipient_name"),
                "package_name": package,
            }
            fields = {"event_name": event_key, "package_name": package_key}
            for key in ("quantity", "delivered_to", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            if row.has("fulfillment_status"):
                status = row.get("fulfillment_status")
                if status not in FULFILLMENT:
                    self.refuse(
                        f"{row.location}.fulfillment_status",
                        "choice",
                        choices=" | ".join(FULFILLMENT),
                        value=shown(status),
                    )
                    continue
                out["fulfillment_status"] = status
            elif row.has("status"):
                status = row.get("status")
                if status not in STATUS_TO_FULFILLMENT:
                    self.refuse(f"{row.location}.status", "status", value=shown(status))
                    continue
                out["fulfillment_status"] = STATUS_TO_FULFILLMENT[status]
                fields["fulfillment_status"] = "status"
                self.report.inferred[
                    "event_recipient_packages: fulfillment_status from the older status "
                    "(pending → pending, assembled → ready, delivered → delivered)"
                ] += 1
            else:
                out["fulfillment_status"] = "pending"
                self.report.inferred[
                    "event_recipient_packages: fulfillment_status pending (neither status "
                    "nor fulfillment_status given)"
                ] += 1
            row.leftovers(self.report)
            self.add("event_recipient_packages", out, Origin(row.location, fields))

    def _read_event_production_targets(self):
        self._targets("event_production_targets", ("recipe_name", "recipe_slug"), "target_batches")

    def _read_event_assembly_targets(self):
        self._targets("event_assembly_targets", ("finished_good_slug",), "target_quantity")

    def _targets(self, section: str, keys: tuple[str, ...], amount: str):
        for index, record in self.section(section):
            row = _Taken(section, index, record)
            event, event_key = self._event(row)
            if keys[0] == "finished_good_slug":
                ours = "finished_good_name"
                target, key = self.resolve(row, keys, self.good_slugs, "finished good")
            else:
                ours = "recipe_name"
                target, key = self.resolve(row, keys, self.recipe_slugs, "recipe")
            value = _integral(row.get(amount))
            if event is False or target is False:
                continue
            if value is None:
                self.refuse(f"{row.location}.{amount}", "required")
                continue
            if isinstance(value, int) and not isinstance(value, bool) and value <= 0:
                self.refuse(f"{row.location}.{amount}", "greater_than_zero", value=shown(value))
                continue
            out = {"event_name": event, ours: target, amount: value}
            if row.has("notes"):
                out["notes"] = row.get("notes")
            row.leftovers(self.report)
            self.add(section, out, Origin(row.location, {"event_name": event_key, ours: key}))

    # Runs.

    def _run_uuid(self, section: str, record: dict, seen: Counter) -> str:
        """Return a uuid derived from a run's content (and how many identical runs precede
        it), the same for the same backup."""
        # The same time written the app's two ways ("...Z", "...+00:00Z") is the same run.
        canonical = {key: _canonical_time(value) for key, value in record.items()}
        content = json.dumps([section, canonical], sort_keys=True, default=str)
        seen[content] += 1
        return str(uuid.uuid5(RUN_NAMESPACE, f"{content}#{seen[content]}"))

    def _unit_for(self, recipe):
        """Return the recipe's only finished unit, or None."""
        units = self.recipe_units.get(recipe, [])
        if len(units) == 1:
            return units[0]
        return None

    def _candidates(self, recipe) -> str:
        units = self.recipe_units.get(recipe, [])
        if not units:
            return "no finished unit"
        return f"{len(units)} finished units: " + ", ".join(
            repr(u.get("display_name")) for u in units
        )

    def _expected(self, unit: dict, batches):
        per_batch = unit.get("items_per_batch")
        if (
            unit.get("yield_mode") in (None, "discrete_count")
            and isinstance(per_batch, int)
            and isinstance(batches, int)
        ):
            return per_batch * batches
        return None

    def _run(self, section: str, index: int, record: dict, batches: str):
        """Read what a production run and a production record share; return the record
        being read, our run, its origin's fields and its finished unit; or None for a record
        whose references are refused, or whose recipe's finished unit cannot be inferred
        (said by the caller)."""
        row = _Taken(section, index, record)
        event, event_key = self._event(row)
        recipe, recipe_key = self.resolve(
            row, ("recipe_name", "recipe_slug"), self.recipe_slugs, "recipe"
        )
        if event is False or recipe is False:
            return None
        unit = self._unit_for(recipe)
        if unit is None:
            return row, recipe, None, None
        out = {
            "uuid": self._run_uuid(section, record, self.runs_seen),
            "recipe_name": recipe,
            "finished_unit_name": unit.get("display_name"),
            "event_name": event,
            "num_batches": row.get(batches),
            "produced_at": _timestamp(row.get("produced_at")),
        }
        fields = {
            "uuid": "(derived)",
            "finished_unit_name": "finished_unit",
            "event_name": event_key,
            "recipe_name": recipe_key,
            "num_batches": batches,
        }
        self._infer_run(out, unit, section)
        return row, out, fields, unit

    def _read_production_runs(self):
        self.runs_seen = Counter()
        for index, record in self.section("production_runs"):
            read = self._run("production_runs", index, record, "num_batches")
            if read is None:
                continue
            row, out, fields, _ = read
            if fields is None:
                self.refuse(
                    f"{row.location}.finished_unit",
                    "no_unit",
                    recipe=out,
                    candidates=self._candidates(out),
                )
                continue
            for key in ("actual_yield", "notes"):
                if row.has(key):
                    out[key] = row.get(key)
            self.report.inferred[COSTS.format(section="production_runs")] += 1
            row.leftovers(self.report)
            self.add("production_runs", out, Origin(row.location, fields))

    def _infer_run(self, out: dict, unit: dict, section: str):
        expected = self._expected(unit, out["num_batches"])
        self.report.inferred[f"{section}: finished unit (the recipe's only one)"] += 1
        self.report.inferred[f"{section}: uuid derived from the run's content"] += 1
        if expected is not None:
            out["expected_yield"] = expected
            self.report.inferred[f"{section}: expected yield (items per batch × batches)"] += 1
        else:
            out["expected_yield"] = 0
            self.report.inferred[
                f"{section}: expected yield unknown (the unit is not counted per batch), left 0"
            ] += 1
        return expected

    def _read_production_records(self):
        for index, record in self.section("production_records"):
            read = self._run("production_records", index, record, "batches")
            if read is None:
                continue
            row, out, fields, unit = read
            if fields is None:
                self.report.not_imported.append(
                    f"{row.location}: recipe {out!r} has {self._candidates(out)}, so the "
                    "finished unit of this production record cannot be inferred"
                )
                continue
            if row.has("actual_cost"):
                out["total_ingredient_cost"] = self.rounded(row, "actual_cost")
                fields["total_ingredient_cost"] = "actual_cost"
            else:
                self.report.inferred[COSTS.format(section="production_records")] += 1
            said = [f"finished unit {unit.get('display_name')!r} (the recipe's only one)"]
            expected = out["expected_yield"]
            if self._expected(unit, out["num_batches"]) is not None:
                out["actual_yield"] = expected
                said.append(f"expected and actual yield {expected} (items per batch × batches)")
                self.report.inferred["production_records: actual yield (= the expected yield)"] += 1
            note = (
                "Imported from a bake-tracker production record; inferred: " + ", ".join(said) + "."
            )
            given = row.get("notes")
            out["notes"] = f"{given}\n\n{note}" if given else note
            row.leftovers(self.report)
            self.add("production_runs", out, Origin(row.location, fields))

    def _read_assembly_runs(self):
        seen = Counter()
        for index, record in self.section("assembly_runs"):
            row = _Taken("assembly_runs", index, record)
            event, event_key = self._event(row)
            good, good_key = self.resolve(
                row, ("finished_good_slug",), self.good_slugs, "finished good"
            )
            if event is False or good is False:
                continue
            out = {
                "uuid": self._run_uuid("assembly_runs", record, seen),
                "finished_good_name": good,
                "event_name": event,
                "quantity_assembled": row.get("quantity_assembled"),
                "assembled_at": _timestamp(row.get("assembled_at")),
            }
            if row.has("notes"):
                out["notes"] = row.get("notes")
            self.report.inferred["assembly_runs: uuid derived from the run's content"] += 1
            self.report.inferred[COSTS.format(section="assembly_runs")] += 1
            row.leftovers(self.report)
            fields = {"finished_good_name": good_key, "event_name": event_key}
            self.add("assembly_runs", out, Origin(row.location, fields))

    # Between records.

    def _refuse_same_names(self):
        """Refuse two records that would get the same name here unless they are identical
        (the second is then imported once, and the report says so)."""
        for section in SECTIONS:
            if not section.named:
                continue
            first: dict = {}
            kept = []
            for record, origin in self.records[section.key]:
                name = record.get("name")
                key = normalize_name(name) if isinstance(name, str) else None
                if key is None or key not in first:
                    if key is not None:
                        first[key] = (record, origin)
                    kept.append((record, origin))
                    continue
                other, other_origin = first[key]
                if other == record:
                    self.report.not_imported.append(
                        f"{origin.location}: identical to {other_origin.location}, imported once"
                    )
                    continue
                kind = SECTION_BY_KEY[section.key].model._meta.verbose_name
                self.refuse(
                    origin.locate("name"),
                    "same_name",
                    kind=kind,
                    name=key,
                    other=other_origin.location,
                )
            self.records[section.key] = kept


def _nested_unit(unit: dict) -> dict:
    """Return a 4.0 recipe's nested finished unit in the shape of the top-level section."""
    mode = unit.get("yield_mode")
    return {
        "slug": unit.get("slug"),
        "display_name": unit.get("name"),
        "yield_mode": mode,
        "items_per_batch": _integral(unit.get("unit_yield_quantity")),
        "item_unit": unit.get("unit_yield_unit"),
    }


# Recognizing and loading a backup.


def is_backup(source: Source) -> bool:
    """Whether a document is a bake-tracker backup, by the header keys before its first
    section: "application": "bake-tracker" and no "format" (ours has one)."""
    headers = {}
    items = iter_document(source)
    try:
        for item in items:
            if not isinstance(item, Header):
                break
            headers[item.key] = item.value
    except ExchangeError:
        return False
    finally:
        items.close()
    return headers.get("application") == APPLICATION and "format" not in headers


# The backup keeps no run's costs (a production record its actual cost at most).
COSTS = "{section}: costs not in the backup, left at 0"
# A backup is read whole (the app's are a few hundred kilobytes): never more than this.
MAX_BACKUP_SIZE = 256 * 1024**2


def load(source: Source) -> dict:
    """Read a whole backup (the app's backups are small); raise ExchangeError if not JSON."""
    duplicates = []

    def pairs(items):
        obj = {}
        for key, value in items:
            if key in obj:
                duplicates.append(key)
            obj[key] = value
        return obj

    limit = min(source.max_size, MAX_BACKUP_SIZE)
    try:
        with source.open() as reader:
            data = io.BufferedReader(reader).read(limit + 1)
        if len(data) > limit:
            raise SizeLimitExceeded
        document = json.loads(data, parse_float=Decimal, object_pairs_hook=pairs)
    except SizeLimitExceeded:
        raise ExchangeError([_problem("", "too_large", limit=limit)]) from None
    except UnicodeDecodeError:
        raise ExchangeError(
            [_problem("", "unreadable", path=source.name, reason="text that is not UTF-8")]
        ) from None
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            problem = _problem("", "json", line=exc.lineno, column=exc.colno, reason=exc.msg)
            raise ExchangeError([problem]) from None
        # Nesting too deep for the parser, or a number of thousands of digits: no backup the
        # app writes holds either.
        reason = "nesting too deep" if isinstance(exc, RecursionError) else str(exc)
        raise ExchangeError(
            [_problem("", "unreadable", path=source.name, reason=f"not a backup ({reason})")]
        ) from None
    if duplicates:
        raise ExchangeError([_problem("", "duplicate_key", key=key) for key in duplicates])
    return document


def check_version(backup: dict) -> str:
    """Return the backup's version, or refuse a version this bakery does not read."""
    version = backup.get("version")
    match = re.match(r"([0-9]+)\.[0-9]+", version) if isinstance(version, str) else None
    if match is None or int(match.group(1)) not in MAJORS:
        raise ExchangeError([_problem("version", "version", value=shown(version))])
    return version


# Importing.

LOCATION = re.compile(r"([a-z_]+)\[([0-9]+)\](.*)\Z", re.DOTALL)
NESTED = re.compile(r"\.([a-z_]+)\[([0-9]+)\](?:\.([a-z_]+))?\Z")
MENTION = re.compile(r"\b([a-z_]+)\[([0-9]+)\]")


class BackupImporter(Importer):
    """The importer, reading the translated records of a backup instead of a document."""

    def __init__(self, translator: Translator, source: Source, **options):
        super().__init__(source, **options)
        self.translator = translator

    def items(self):
        yield Header("format", FORMAT)
        yield Header("version", VERSION)
        yield Header("exported_at", _timestamp(self.translator.backup.get("exported_at")))
        for section in SECTIONS:
            for index, (record, _) in enumerate(self.translator.records[section.key]):
                yield Record(section.key, index, record)

    def origin(self, section: str, index: int) -> Origin | None:
        records = self.translator.records.get(section)
        if records is None or index >= len(records):
            return None
        return records[index][1]

    def relocate(self, problem: Problem) -> Problem:
        """Return a problem of our sections located in the backup instead."""
        location = problem.location
        match = LOCATION.match(location)
        origin = match and self.origin(match.group(1), int(match.group(2)))
        if origin is not None:
            rest = match.group(3)
            nested = NESTED.match(rest)
            if not rest:
                location = origin.location
            elif nested and int(nested.group(2)) < len(origin.children):
                child = origin.children[int(nested.group(2))]
                location = child.locate(nested.group(3)) if nested.group(3) else child.location
            else:
                location = origin.locate(rest.removeprefix("."))

        def mention(found):
            place = self.origin(found.group(1), int(found.group(2)))
            return place.location if place is not None else found.group(0)

        return Problem(location, problem.code, MENTION.sub(mention, problem.text))


def _order(top: dict, problem: Problem) -> tuple:
    match = LOCATION.match(problem.location)
    if match is None:
        return (-1, 0, problem.location)
    return (top.get(match.group(1), len(top)), int(match.group(2)), match.group(3))


def _line_words(line: dict) -> str:
    """Write a recipe's ingredient line as words: "also 1 tbsp (grated peel)"."""
    amount = " ".join(str(line[k]) for k in ("quantity", "unit") if line.get(k) not in (None, ""))
    notes = f" ({line['notes']})" if line.get("notes") else ""
    return f"also {amount or 'some'}{notes}"


def import_backup(
    source: Source,
    mode: str = "merge",
    dry_run: bool = False,
    error_limit: int = DEFAULT_ERROR_LIMIT,
    progress=None,
) -> ImportResult:
    """Translate a bake-tracker backup and import it; raise ExchangeError, located in the
    backup, if anything in it is refused (nothing is then written)."""
    backup = load(source)
    if not isinstance(backup, dict):
        raise ExchangeError([_problem("", "not_object", got=json_type(backup))])
    version = check_version(backup)
    translator = Translator(backup).translate()
    problems = list(translator.problems)
    extra = 0
    importer = BackupImporter(
        translator,
        source,
        mode=mode,
        # With problems of the translation's own, only the checks run: nothing is written.
        dry_run=dry_run or bool(problems),
        error_limit=error_limit,
        progress=progress,
    )
    result = None
    try:
        with temporary_space():
            result = importer.run()
    except ExchangeError as exc:
        if exc.status != 1 or not exc.in_document:
            raise
        problems.extend(importer.relocate(p) for p in exc.problems)
        extra = exc.total - len(exc.problems)
    if problems:
        problems.sort(key=lambda p: _order(translator.top, p))
        raise ExchangeError(problems[:error_limit], len(problems) + extra)
    result.warnings = [importer.relocate(w) for w in result.warnings]
    result.report = translator.report.lines(version)
    return result


def import_any(source: Source, **options) -> ImportResult:
    """Import an exchange document or a bake-tracker backup, whichever the file is (options
    as import_document's)."""
    run = import_backup if is_backup(source) else import_document
    return run(source, **options)
