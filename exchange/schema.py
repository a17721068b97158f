"""The one declaration of how each model maps to its section and fields of the document.

The exporter, the importer's checks and the tests all derive from SECTIONS: a field's kind,
whether it is required, its limits and its choices come from the model field it names.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    Package,
    PackageFinishedGood,
    Recipe,
    RecipeIngredient,
    Recipient,
)
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun

from .codecs import Codec, codec_for
from .rules import DefaultFrom, MatchesReferenced, NewUuid, NoCycle, RecordRule, RequiredWhen

FORMAT = "bakery-exchange"
VERSION = 1
HEADER_KEYS = ("format", "version", "exported_at", "application", "scope")


@dataclass(frozen=True)
class Field:
    """A key of a record and the model field it holds."""

    key: str
    attr: str
    # The section a reference points to; None for a plain value.
    ref: str | None = None

    def bind(self, model):
        return BoundField(self.key, self.attr, self.ref, model._meta.get_field(self.attr))


@dataclass(frozen=True)
class BoundField:
    key: str
    attr: str
    ref: str | None
    model_field: models.Field

    @property
    def required(self) -> bool:
        """Whether a record must give this field (no null, no blank, no default)."""
        f = self.model_field
        return not (f.null or f.blank or f.has_default())

    @property
    def column(self) -> str:
        """Return the model attribute that stores the value (the id for a reference)."""
        return self.model_field.attname

    @cached_property
    def codec(self) -> Codec:
        """Return how this field's values are parsed, formatted, read and stored."""
        return codec_for(self)


@dataclass(frozen=True)
class Nested:
    """A list of owned child records inside a record (a recipe's ingredients)."""

    key: str
    model: type[models.Model]
    parent_attr: str
    raw_fields: tuple[Field, ...]
    # Keys of which exactly one must be given (a component is a unit or a good).
    one_of: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ()

    @cached_property
    def fields(self) -> tuple[BoundField, ...]:
        return tuple(f.bind(self.model) for f in self.raw_fields)

    @property
    def identity(self) -> tuple[str, ...]:
        """Return the keys naming a child within its parent (its references)."""
        return tuple(f.key for f in self.fields if f.ref)


@dataclass(frozen=True)
class Section:
    """A top-level list of the document and the model of its records."""

    key: str
    model: type[models.Model]
    raw_fields: tuple[Field, ...]
    natural_key: tuple[str, ...]
    nested: Nested | None = None
    catalog: bool = True
    order_by: tuple[str, ...] = field(default=())
    # Rules of its records beyond their fields' own values (exchange.rules).
    rules: tuple = ()

    @cached_property
    def fields(self) -> tuple[BoundField, ...]:
        return tuple(f.bind(self.model) for f in self.raw_fields)

    @cached_property
    def field_map(self) -> dict[str, BoundField]:
        return {f.key: f for f in self.fields}

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Return every key a record of this section may have, in document order."""
        return tuple(f.key for f in self.fields) + ((self.nested.key,) if self.nested else ())

    @property
    def named(self) -> bool:
        """Whether the natural key is the record's own name."""
        return self.natural_key == ("name",)

    @property
    def keyed_by_uuid(self) -> bool:
        """Whether the natural key is a uuid (a run's): there may be a million of them."""
        return self.natural_key == ("uuid",)

    @property
    def references(self) -> tuple[BoundField, ...]:
        return tuple(f for f in self.fields if f.ref)

    def rules_of(self, kind) -> tuple:
        """Return the section's rules of a kind (a class of exchange.rules)."""
        return tuple(rule for rule in self.rules if isinstance(rule, kind))

    @cached_property
    def record_rules(self) -> tuple[RecordRule, ...]:
        return self.rules_of(RecordRule)


def _plain(*keys):
    return tuple(Field(k, k) for k in keys)


def _ref(key, attr, section):
    return Field(key, attr, ref=section)


SECTIONS: tuple[Section, ...] = (
    Section(
        "ingredients",
        Ingredient,
        _plain("name", "category", "recipe_unit", "notes"),
        natural_key=("name",),
    ),
    Section(
        "recipes",
        Recipe,
        _plain(
            "name",
            "category",
            "yield_quantity",
            "yield_unit",
            "source",
            "estimated_time_minutes",
            "notes",
        ),
        natural_key=("name",),
        nested=Nested(
            "ingredients",
            RecipeIngredient,
            parent_attr="recipe",
            raw_fields=(
                _ref("ingredient_name", "ingredient", "ingredients"),
                *_plain("quantity", "unit", "notes"),
            ),
            order_by=("ingredient__name",),
        ),
    ),
    Section(
        "finished_units",
        FinishedUnit,
        (
            Field("name", "name"),
            _ref("recipe_name", "recipe", "recipes"),
            *_plain(
                "yield_mode",
                "items_per_batch",
                "item_unit",
                "batch_percentage",
                "inventory_count",
                "notes",
            ),
        ),
        natural_key=("name",),
        rules=(
            RequiredWhen(
                "yield_mode",
                {"discrete_count": "items_per_batch", "batch_portion": "batch_percentage"},
            ),
        ),
    ),
    Section(
        "finished_goods",
        FinishedGood,
        _plain("name", "description", "inventory_count", "notes"),
        natural_key=("name",),
        nested=Nested(
            "components",
            Composition,
            parent_attr="assembly",
            raw_fields=(
                _ref("finished_unit_name", "finished_unit", "finished_units"),
                _ref("finished_good_name", "finished_good", "finished_goods"),
                *_plain("quantity", "sort_order"),
            ),
            one_of=("finished_unit_name", "finished_good_name"),
            order_by=("sort_order", "finished_unit__name", "finished_good__name"),
        ),
        rules=(NoCycle("finished_good_name"),),
    ),
    Section(
        "packages",
        Package,
        _plain("name", "is_template", "description", "notes"),
        natural_key=("name",),
        nested=Nested(
            "contents",
            PackageFinishedGood,
            parent_attr="package",
            raw_fields=(
                _ref("finished_good_name", "finished_good", "finished_goods"),
                Field("quantity", "quantity"),
            ),
            order_by=("finished_good__name",),
        ),
    ),
    Section(
        "recipients",
        Recipient,
        _plain("name", "household_name", "address", "notes"),
        natural_key=("name",),
    ),
    Section(
        "events",
        Event,
        _plain("name", "event_date", "year", "notes"),
        natural_key=("name",),
        order_by=("event_date", "name"),
        rules=(DefaultFrom("year", "event_date", lambda date: date.year),),
    ),
    Section(
        "event_recipient_packages",
        EventRecipientPackage,
        (
            _ref("event_name", "event", "events"),
            _ref("recipient_name", "recipient", "recipients"),
            _ref("package_name", "package", "packages"),
            *_plain("quantity", "fulfillment_status", "delivered_to", "notes"),
        ),
        natural_key=("event_name", "recipient_name", "package_name"),
        catalog=False,
        order_by=("event__event_date", "event__name", "recipient__name", "package__name"),
    ),
    Section(
        "event_production_targets",
        EventProductionTarget,
        (
            _ref("event_name", "event", "events"),
            _ref("recipe_name", "recipe", "recipes"),
            *_plain("target_batches", "notes"),
        ),
        natural_key=("event_name", "recipe_name"),
        catalog=False,
        order_by=("event__event_date", "event__name", "recipe__name"),
    ),
    Section(
        "event_assembly_targets",
        EventAssemblyTarget,
        (
            _ref("event_name", "event", "events"),
            _ref("finished_good_name", "finished_good", "finished_goods"),
            *_plain("target_quantity", "notes"),
        ),
        natural_key=("event_name", "finished_good_name"),
        catalog=False,
        order_by=("event__event_date", "event__name", "finished_good__name"),
    ),
    Section(
        "production_runs",
        ProductionRun,
        (
            Field("uuid", "uuid"),
            _ref("recipe_name", "recipe", "recipes"),
            _ref("finished_unit_name", "finished_unit", "finished_units"),
            _ref("event_name", "event", "events"),
            *_plain(
                "num_batches",
                "expected_yield",
                "actual_yield",
                "produced_at",
                "total_ingredient_cost",
                "per_unit_cost",
                "notes",
            ),
        ),
        natural_key=("uuid",),
        catalog=False,
        order_by=("produced_at", "uuid"),
        rules=(
            NewUuid(),
            MatchesReferenced(
                "finished_unit_name",
                "recipe_name",
                their="recipe_name",
                code="recipe_mismatch",
                changed_code="runs_recipe_changed",
            ),
        ),
    ),
    Section(
        "assembly_runs",
        AssemblyRun,
        (
            Field("uuid", "uuid"),
            _ref("finished_good_name", "finished_good", "finished_goods"),
            _ref("event_name", "event", "events"),
            *_plain(
                "quantity_assembled",
                "assembled_at",
                "total_component_cost",
                "per_unit_cost",
                "notes",
            ),
        ),
        natural_key=("uuid",),
        catalog=False,
        order_by=("assembled_at", "uuid"),
        rules=(NewUuid(),),
    ),
)

SECTION_BY_KEY = {s.key: s for s in SECTIONS}
SECTION_BY_MODEL = {s.model: s for s in SECTIONS}


def section_for_model(model) -> Section | None:
    """Return the section a model's records are written in, directly or nested."""
    if model in SECTION_BY_MODEL:
        return SECTION_BY_MODEL[model]
    return next((s for s in SECTIONS if s.nested and s.nested.model is model), None)


def kind(section_key: str) -> str:
    """Name the records of a section as a baker would ("finished unit")."""
    return str(SECTION_BY_KEY[section_key].model._meta.verbose_name)


def shown_key(section: Section, key: tuple) -> str:
    """Quote a natural key: 'Flour', or event 'Christmas 2025' with recipe 'Cookies'."""
    if len(key) == 1:
        return repr(str(key[0]))
    parts = [
        f"{kind(section.field_map[k].ref)} {str(v)!r}"
        for k, v in zip(section.natural_key, key, strict=True)
    ]
    return f"{parts[0]} with {' and '.join(parts[1:])}"
