"""What was made, and what should be made for an event."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from bakery.models import (
    NON_NEGATIVE,
    POSITIVE,
    Event,
    FinishedGood,
    FinishedUnit,
    Recipe,
    check,
    decimal_field,
)


class RunManager(models.Manager):
    """Find runs by their uuid, their natural key."""

    def get_by_natural_key(self, run_uuid):
        return self.get(uuid=run_uuid)


class ProductionRun(models.Model):
    """Batches of a recipe baked, for an event or standalone (event is null)."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="production_runs")
    finished_unit = models.ForeignKey(
        FinishedUnit, on_delete=models.PROTECT, related_name="production_runs"
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="production_runs",
        help_text="Leave empty for standalone production.",
    )
    num_batches = models.IntegerField(validators=[POSITIVE])
    expected_yield = models.IntegerField(default=0, validators=[NON_NEGATIVE])
    actual_yield = models.IntegerField(default=0, validators=[NON_NEGATIVE])
    produced_at = models.DateTimeField()
    total_ingredient_cost = decimal_field(default=0, validators=[NON_NEGATIVE])
    per_unit_cost = decimal_field(default=0, validators=[NON_NEGATIVE])
    notes = models.TextField(blank=True)

    objects = RunManager()

    class Meta:
        ordering = ["-produced_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["uuid"], name="production_productionrun_unique_uuid"),
            check(Q(num_batches__gt=0), "num_batches_positive"),
            check(Q(expected_yield__gte=0), "expected_yield_non_negative"),
            check(Q(actual_yield__gte=0), "actual_yield_non_negative"),
            check(Q(total_ingredient_cost__gte=0), "total_cost_non_negative"),
            check(Q(per_unit_cost__gte=0), "per_unit_cost_non_negative"),
        ]

    def __str__(self):
        return f"{self.num_batches} × {self.recipe} on {self.produced_at:%Y-%m-%d}"

    def natural_key(self):
        return (str(self.uuid),)

    natural_key.dependencies = ["bakery.recipe", "bakery.finishedunit", "bakery.event"]

    def clean(self):
        super().clean()
        if (
            self.recipe_id
            and self.finished_unit_id
            and self.finished_unit.recipe_id != self.recipe_id
        ):
            raise ValidationError(
                {
                    "finished_unit": f"'{self.finished_unit}' is made from "
                    f"'{self.finished_unit.recipe}', not from '{self.recipe}'."
                }
            )


class AssemblyRun(models.Model):
    """Finished goods assembled, for an event or standalone (event is null)."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    finished_good = models.ForeignKey(
        FinishedGood, on_delete=models.PROTECT, related_name="assembly_runs"
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assembly_runs",
        help_text="Leave empty for standalone assembly.",
    )
    quantity_assembled = models.IntegerField(validators=[POSITIVE])
    assembled_at = models.DateTimeField()
    total_component_cost = decimal_field(default=0, validators=[NON_NEGATIVE])
    per_unit_cost = decimal_field(default=0, validators=[NON_NEGATIVE])
    notes = models.TextField(blank=True)

    objects = RunManager()

    class Meta:
        ordering = ["-assembled_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["uuid"], name="production_assemblyrun_unique_uuid"),
            check(Q(quantity_assembled__gt=0), "quantity_positive"),
            check(Q(total_component_cost__gte=0), "total_cost_non_negative"),
            check(Q(per_unit_cost__gte=0), "per_unit_cost_non_negative"),
        ]

    def __str__(self):
        return f"{self.quantity_assembled} × {self.finished_good} on {self.assembled_at:%Y-%m-%d}"

    def natural_key(self):
        return (str(self.uuid),)

    natural_key.dependencies = ["bakery.finishedgood", "bakery.event"]


class EventProductionTargetManager(models.Manager):
    def get_by_natural_key(self, event_name, recipe_name):
        return self.get(event__name=event_name, recipe__name=recipe_name)


class EventProductionTarget(models.Model):
    """How many batches of a recipe to bake for an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="production_targets")
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="event_targets")
    target_batches = models.IntegerField(validators=[POSITIVE])
    notes = models.TextField(blank=True)

    objects = EventProductionTargetManager()

    class Meta:
        verbose_name = "production target"
        ordering = ["event__event_date", "event__name", "recipe__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipe"], name="production_eventproductiontarget_unique_pair"
            ),
            check(Q(target_batches__gt=0), "target_batches_positive"),
        ]

    def __str__(self):
        return f"{self.target_batches} batches of {self.recipe} for {self.event}"

    def natural_key(self):
        return (self.event.name, self.recipe.name)

    natural_key.dependencies = ["bakery.event", "bakery.recipe"]


class EventAssemblyTargetManager(models.Manager):
    def get_by_natural_key(self, event_name, finished_good_name):
        return self.get(event__name=event_name, finished_good__name=finished_good_name)


class EventAssemblyTarget(models.Model):
    """How many of a finished good to assemble for an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="assembly_targets")
    finished_good = models.ForeignKey(
        FinishedGood, on_delete=models.PROTECT, related_name="event_targets"
    )
    target_quantity = models.IntegerField(validators=[POSITIVE])
    notes = models.TextField(blank=True)

    objects = EventAssemblyTargetManager()

    class Meta:
        verbose_name = "assembly target"
        ordering = ["event__event_date", "event__name", "finished_good__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "finished_good"], name="production_eventassemblytarget_unique_pair"
            ),
            check(Q(target_quantity__gt=0), "target_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.target_quantity} × {self.finished_good} for {self.event}"

    def natural_key(self):
        return (self.event.name, self.finished_good.name)

    natural_key.dependencies = ["bakery.event", "bakery.finishedgood"]
