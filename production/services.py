"""Targets, progress and the fulfillment workflow: the business rules of production."""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FulfillmentStatus,
    Recipe,
    RecipeIngredient,
)
from bakery.numbers import decimal_text

from .models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun

FULFILLMENT_MESSAGES = {
    "unknown_status": "'{status}' is not a fulfillment status; choose one of {choices}.",
    "final": "{assignment} is already delivered; a delivered package cannot change any more.",
    "unchanged": "{assignment} is already {current}.",
    "not_next": "{assignment} is {current}: it can only be marked {next} next, not {status}.",
    "stale": "{assignment} was changed by someone else meanwhile and is now {current}; "
    "check it before changing it again.",
    "missing": "This package assignment was deleted meanwhile; it could not be marked {status}.",
}


class FulfillmentError(Exception):
    """A fulfillment step the workflow does not allow; str() is the message for the baker."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code

    @classmethod
    def refuse(cls, code: str, **params) -> "FulfillmentError":
        """Build the error for a code of FULFILLMENT_MESSAGES."""
        return cls(FULFILLMENT_MESSAGES[code].format(**params), code=code)


NEXT_STATUS = {
    FulfillmentStatus.PENDING: FulfillmentStatus.READY,
    FulfillmentStatus.READY: FulfillmentStatus.DELIVERED,
}


def _check_fields(instance, *names):
    """Run the model's own validation of the named fields, raising ValidationError."""
    other_fields = [f.name for f in instance._meta.fields if f.name not in names]
    instance.full_clean(exclude=other_fields, validate_unique=False, validate_constraints=False)


def set_production_target(event: Event, recipe: Recipe, target_batches: int, notes: str = ""):
    """Create or change the number of batches of a recipe to bake for an event."""
    _check_fields(
        EventProductionTarget(target_batches=target_batches, notes=notes), "target_batches", "notes"
    )
    target, _ = EventProductionTarget.objects.update_or_create(
        event=event,
        recipe=recipe,
        defaults={"target_batches": target_batches, "notes": notes},
    )
    return target


def delete_production_target(event: Event, recipe: Recipe) -> bool:
    """Delete an event's production target for a recipe; return whether one existed."""
    deleted, _ = EventProductionTarget.objects.filter(event=event, recipe=recipe).delete()
    return bool(deleted)


def set_assembly_target(
    event: Event, finished_good: FinishedGood, target_quantity: int, notes: str = ""
):
    """Create or change how many of a finished good to assemble for an event."""
    _check_fields(
        EventAssemblyTarget(target_quantity=target_quantity, notes=notes),
        "target_quantity",
        "notes",
    )
    target, _ = EventAssemblyTarget.objects.update_or_create(
        event=event,
        finished_good=finished_good,
        defaults={"target_quantity": target_quantity, "notes": notes},
    )
    return target


def delete_assembly_target(event: Event, finished_good: FinishedGood) -> bool:
    """Delete an event's assembly target for a finished good; return whether one existed."""
    deleted, _ = EventAssemblyTarget.objects.filter(
        event=event, finished_good=finished_good
    ).delete()
    return bool(deleted)


def _percent(done: int, target: int) -> Decimal:
    """Return done as a percentage of target, to one decimal place."""
    return (Decimal(done) * 100 / Decimal(target)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProductionProgress:
    """How far an event's production of one recipe is from its target."""

    recipe_name: str
    target_batches: int
    produced_batches: int
    produced_yield: int
    progress_pct: Decimal
    is_complete: bool


@dataclass(frozen=True)
class AssemblyProgress:
    """How far an event's assembly of one finished good is from its target."""

    finished_good_name: str
    target_quantity: int
    assembled_quantity: int
    progress_pct: Decimal
    is_complete: bool


@dataclass(frozen=True)
class EventProgress:
    """An event's progress on every target, and its package counts by fulfillment status."""

    event: Event
    production: list[ProductionProgress] = field(default_factory=list)
    assembly: list[AssemblyProgress] = field(default_factory=list)
    packages: dict[str, int] = field(default_factory=dict)

    @property
    def targets_total(self) -> int:
        return len(self.production) + len(self.assembly)

    @property
    def production_met(self) -> int:
        """How many recipes have reached their target."""
        return sum(p.is_complete for p in self.production)

    @property
    def assembly_met(self) -> int:
        """How many finished goods have reached their target."""
        return sum(a.is_complete for a in self.assembly)

    @property
    def targets_complete(self) -> int:
        return self.production_met + self.assembly_met

    def as_dict(self) -> dict:
        """Return the progress as plain JSON-ready data."""
        return {
            "event": self.event.name,
            "production": [
                {**asdict(p), "progress_pct": float(p.progress_pct)} for p in self.production
            ],
            "assembly": [
                {**asdict(a), "progress_pct": float(a.progress_pct)} for a in self.assembly
            ],
            "packages": self.packages,
        }


def event_progress(event: Event) -> EventProgress:
    """Measure an event's production, assembly and packages against its targets.

    Five queries whatever the number of targets and runs: the runs are summed by the database,
    then matched to the targets in memory. Only runs attributed to this event count
    (standalone runs and other events' runs never do).
    """
    produced = {
        row["recipe_id"]: row
        for row in ProductionRun.objects.filter(event=event)
        .values("recipe_id")
        .annotate(batches=Sum("num_batches"), yield_=Sum("actual_yield"))
    }
    production = []
    for target in (
        EventProductionTarget.objects.filter(event=event)
        .select_related("recipe")
        .order_by("recipe__name")
    ):
        row = produced.get(target.recipe_id, {})
        batches = row.get("batches") or 0
        production.append(
            ProductionProgress(
                recipe_name=target.recipe.name,
                target_batches=target.target_batches,
                produced_batches=batches,
                produced_yield=row.get("yield_") or 0,
                progress_pct=_percent(batches, target.target_batches),
                is_complete=batches >= target.target_batches,
            )
        )

    assembled = dict(
        AssemblyRun.objects.filter(event=event)
        .values("finished_good_id")
        .annotate(total=Sum("quantity_assembled"))
        .values_list("finished_good_id", "total")
    )
    assembly = []
    for target in (
        EventAssemblyTarget.objects.filter(event=event)
        .select_related("finished_good")
        .order_by("finished_good__name")
    ):
        quantity = assembled.get(target.finished_good_id) or 0
        assembly.append(
            AssemblyProgress(
                finished_good_name=target.finished_good.name,
                target_quantity=target.target_quantity,
                assembled_quantity=quantity,
                progress_pct=_percent(quantity, target.target_quantity),
                is_complete=quantity >= target.target_quantity,
            )
        )

    packages = EventRecipientPackage.objects.filter(event=event).aggregate(
        **{
            status: Count("pk", filter=Q(fulfillment_status=status))
            for status in FulfillmentStatus.values
        },
        total=Count("pk"),
    )
    return EventProgress(event=event, production=production, assembly=assembly, packages=packages)


def check_fulfillment(assignment: EventRecipientPackage, status: str) -> FulfillmentStatus:
    """Return the status a step would move an assignment to, as read, writing nothing.

    Refuse a skip, a step back or a repeat with a FulfillmentError saying why.
    """
    if status not in FulfillmentStatus.values:
        raise FulfillmentError.refuse(
            "unknown_status", status=status, choices=", ".join(FulfillmentStatus.values)
        )
    current = FulfillmentStatus(assignment.fulfillment_status)
    wanted = FulfillmentStatus(status)
    if current == FulfillmentStatus.DELIVERED:
        raise FulfillmentError.refuse("final", assignment=assignment)
    if current == wanted:
        raise FulfillmentError.refuse(
            "unchanged", assignment=assignment, current=current.label.lower()
        )
    step = NEXT_STATUS[current]
    if step != wanted:
        raise FulfillmentError.refuse(
            "not_next",
            assignment=assignment,
            current=current.label.lower(),
            next=step.label.lower(),
            status=wanted.label.lower(),
        )
    return wanted


def advance_fulfillment(assignment: EventRecipientPackage, status: str) -> EventRecipientPackage:
    """Move a package assignment one step along pending → ready → delivered.

    Refuse a skip, a step back or a repeat with a FulfillmentError saying why (check_fulfillment).
    The change is made only if the row still has the status it was read with, so two people
    clicking at once cannot both move it.
    """
    wanted = check_fulfillment(assignment, status)
    current = FulfillmentStatus(assignment.fulfillment_status)
    moved = EventRecipientPackage.objects.filter(
        pk=assignment.pk, fulfillment_status=current
    ).update(fulfillment_status=wanted)
    if not moved:
        try:
            assignment.refresh_from_db(fields=["fulfillment_status"])
        except EventRecipientPackage.DoesNotExist:
            raise FulfillmentError.refuse("missing", status=wanted.label.lower()) from None
        raise FulfillmentError.refuse(
            "stale",
            assignment=assignment,
            current=assignment.get_fulfillment_status_display().lower(),
        )
    assignment.fulfillment_status = wanted.value
    return assignment


def mark_ready(assignment: EventRecipientPackage) -> EventRecipientPackage:
    """Mark a pending package assignment ready."""
    return advance_fulfillment(assignment, FulfillmentStatus.READY)


def mark_delivered(assignment: EventRecipientPackage) -> EventRecipientPackage:
    """Mark a ready package assignment delivered."""
    return advance_fulfillment(assignment, FulfillmentStatus.DELIVERED)


def nearest_first_ordering(today: datetime.date) -> list:
    """Return the order of events the nearest upcoming first, then the past ones, latest
    first, as expressions for order_by (and the admin's get_ordering)."""
    past = Case(When(event_date__lt=today, then=Value(1)), default=Value(0))
    upcoming_date = Case(When(event_date__gte=today, then=F("event_date")))
    return [past.asc(), upcoming_date.asc(nulls_last=True), F("event_date").desc(), F("name").asc()]


def upcoming_events(today: datetime.date) -> QuerySet:
    """Return the events dated today or later, the nearest first."""
    return Event.objects.filter(event_date__gte=today).order_by("event_date", "name")


def nearest_first(events: QuerySet, today: datetime.date) -> QuerySet:
    """Order events the nearest upcoming first, then the past ones, latest first."""
    return events.order_by(*nearest_first_ordering(today))


def events_by_proximity(today: datetime.date) -> list[Event]:
    """Return every event, the nearest upcoming first, then the past ones, latest first."""
    return list(nearest_first(Event.objects.all(), today))


@dataclass(frozen=True)
class ProductionPlan:
    """What is left to bake of one recipe for an event."""

    recipe_name: str
    target_batches: int
    produced_batches: int
    remaining_batches: int


@dataclass(frozen=True)
class AssemblyPlan:
    """What is left to assemble of one finished good for an event."""

    finished_good_name: str
    target_quantity: int
    assembled_quantity: int
    remaining_quantity: int


@dataclass(frozen=True)
class UnitNeed:
    """How many of a finished unit the remaining assemblies consume."""

    finished_unit_name: str
    quantity: int


@dataclass(frozen=True)
class ShoppingLine:
    """How much of an ingredient, in one unit, the remaining batches need."""

    ingredient_name: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class PackingLine:
    """A package assignment not yet delivered."""

    recipient_name: str
    package_name: str
    quantity: int
    fulfillment_status: str


@dataclass(frozen=True)
class EventPlan:
    """What is still to bake, assemble, buy and pack for an event."""

    event: Event
    production: list[ProductionPlan] = field(default_factory=list)
    assembly: list[AssemblyPlan] = field(default_factory=list)
    units_needed: list[UnitNeed] = field(default_factory=list)
    shopping_list: list[ShoppingLine] = field(default_factory=list)
    packing: list[PackingLine] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Return the plan as plain JSON-ready data, fractional quantities as decimal text."""
        return {
            "event": self.event.name,
            "production": [asdict(p) for p in self.production],
            "assembly": [asdict(a) for a in self.assembly],
            "units_needed": [asdict(u) for u in self.units_needed],
            "shopping_list": [
                {**asdict(line), "quantity": decimal_text(line.quantity)}
                for line in self.shopping_list
            ],
            "packing": [asdict(p) for p in self.packing],
        }


def _units_per_good(compositions) -> dict[str, dict[str, int]]:
    """Expand every finished good into the finished units it consumes, through nested goods.

    compositions are rows (assembly name, unit name or None, good name or None, quantity);
    the result maps each good's name to {finished unit name: how many one good consumes}.
    """
    components: dict[str, list[tuple[str | None, str | None, int]]] = {}
    for assembly, unit, good, quantity in compositions:
        components.setdefault(assembly, []).append((unit, good, quantity))
    expanded: dict[str, dict[str, int]] = {}

    def expand(good: str, path: frozenset) -> dict[str, int]:
        if good in expanded:
            return expanded[good]
        units: dict[str, int] = {}
        for unit, inner, quantity in components.get(good, []):
            if unit is not None:
                units[unit] = units.get(unit, 0) + quantity
            elif inner is not None and inner not in path:  # a cycle is refused on save
                for name, count in expand(inner, path | {inner}).items():
                    units[name] = units.get(name, 0) + quantity * count
        expanded[good] = units
        return units

    for good in components:
        expand(good, frozenset({good}))
    return expanded


def event_plan(event: Event) -> EventPlan:
    """Work out what is left to bake, assemble, buy and pack for an event.

    Built on event_progress: remaining = max(0, target - what this event's runs made).
    A fixed number of queries whatever the number of targets, runs and compositions: the
    progress, the ingredients of the targeted recipes, every composition (expanded through
    nested goods in memory) and the undelivered assignments.
    """
    progress = event_progress(event)
    production = [
        ProductionPlan(
            recipe_name=p.recipe_name,
            target_batches=p.target_batches,
            produced_batches=p.produced_batches,
            remaining_batches=max(0, p.target_batches - p.produced_batches),
        )
        for p in progress.production
    ]
    assembly = [
        AssemblyPlan(
            finished_good_name=a.finished_good_name,
            target_quantity=a.target_quantity,
            assembled_quantity=a.assembled_quantity,
            remaining_quantity=max(0, a.target_quantity - a.assembled_quantity),
        )
        for a in progress.assembly
    ]

    units: dict[str, int] = {}
    if any(a.remaining_quantity for a in assembly):
        per_good = _units_per_good(
            Composition.objects.values_list(
                "assembly__name", "finished_unit__name", "finished_good__name", "quantity"
            )
        )
        for a in assembly:
            for name, count in per_good.get(a.finished_good_name, {}).items():
                units[name] = units.get(name, 0) + a.remaining_quantity * count
    units_needed = [
        UnitNeed(finished_unit_name=name, quantity=quantity)
        for name, quantity in sorted(units.items(), key=lambda item: (item[0].casefold(), item[0]))
        if quantity
    ]

    remaining = {p.recipe_name: p.remaining_batches for p in production if p.remaining_batches}
    amounts: dict[tuple[str, str], Decimal] = {}
    if remaining:
        for recipe, ingredient, unit, quantity in RecipeIngredient.objects.filter(
            recipe__name__in=remaining
        ).values_list("recipe__name", "ingredient__name", "unit", "quantity"):
            key = (ingredient, unit)
            amounts[key] = amounts.get(key, Decimal(0)) + remaining[recipe] * quantity
    shopping_list = [
        ShoppingLine(ingredient_name=ingredient, unit=unit, quantity=quantity)
        for (ingredient, unit), quantity in sorted(
            amounts.items(), key=lambda item: (item[0][0].casefold(), item[0][0], item[0][1])
        )
    ]

    packing = [
        PackingLine(
            recipient_name=recipient,
            package_name=package,
            quantity=quantity,
            fulfillment_status=status,
        )
        for recipient, package, quantity, status in EventRecipientPackage.objects.filter(
            event=event
        )
        .exclude(fulfillment_status=FulfillmentStatus.DELIVERED)
        .order_by("recipient__name", "package__name", "pk")
        .values_list("recipient__name", "package__name", "quantity", "fulfillment_status")
    ]
    return EventPlan(
        event=event,
        production=production,
        assembly=assembly,
        units_needed=units_needed,
        shopping_list=shopping_list,
        packing=packing,
    )
