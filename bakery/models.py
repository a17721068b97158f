"""The catalog, the people and the events."""

import datetime
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Trim

from .names import normalize_name, validate_name
from .numbers import decimal_text

NAME_MAX_LENGTH = 200

# Every decimal (quantities, percentages, money) has this shape: 12 digits, 4 after the point,
# enough for a per-unit cost such as 0.1330 and exact on SQLite, which keeps NUMERIC values
# in 64-bit floats (15 significant digits).
DECIMAL_MAX_DIGITS = 12
DECIMAL_PLACES = 4

NON_NEGATIVE = MinValueValidator(0)
POSITIVE = MinValueValidator(1)
POSITIVE_DECIMAL = MinValueValidator(Decimal("0.0001"))


def decimal_field(**kwargs):
    """Return a DecimalField of the project's one decimal shape."""
    return models.DecimalField(
        max_digits=DECIMAL_MAX_DIGITS, decimal_places=DECIMAL_PLACES, **kwargs
    )


def check(condition, name, message=None):
    """Return a named CheckConstraint (the name is prefixed with the model's table)."""
    return models.CheckConstraint(
        condition=condition,
        name=f"%(app_label)s_%(class)s_{name}",
        violation_error_message=message,
    )


class NamedManager(models.Manager):
    """Find records by their name, their natural key."""

    def get_by_natural_key(self, name):
        return self.get(name=name)


class NamedModel(models.Model):
    """A record known by a unique, stripped, non-empty name."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_name])
    notes = models.TextField(blank=True)

    objects = NamedManager()

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="%(app_label)s_%(class)s_unique_name"),
            check(Q(name__gt="") & Q(name=Trim("name")), "name_stripped_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Saved in NFC however it was set, so that one name typed two ways is one record.
        if isinstance(self.name, str):
            self.name = unicodedata.normalize("NFC", self.name)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.name,)

    def clean_fields(self, exclude=None):
        if isinstance(self.name, str):
            self.name = normalize_name(self.name)
        super().clean_fields(exclude=exclude)


class Ingredient(NamedModel):
    category = models.CharField(max_length=100, blank=True)
    recipe_unit = models.CharField(max_length=50, blank=True)

    class Meta(NamedModel.Meta):
        pass


class Recipe(NamedModel):
    category = models.CharField(max_length=100, blank=True)
    yield_quantity = decimal_field(validators=[NON_NEGATIVE])
    yield_unit = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    estimated_time_minutes = models.IntegerField(null=True, blank=True, validators=[NON_NEGATIVE])

    class Meta(NamedModel.Meta):
        constraints = [
            *NamedModel.Meta.constraints,
            check(Q(yield_quantity__gte=0), "yield_quantity_non_negative"),
            check(
                Q(estimated_time_minutes__isnull=True) | Q(estimated_time_minutes__gte=0),
                "estimated_time_non_negative",
            ),
        ]


class RecipeIngredientManager(models.Manager):
    def get_by_natural_key(self, recipe_name, ingredient_name):
        return self.get(recipe__name=recipe_name, ingredient__name=ingredient_name)


class RecipeIngredient(models.Model):
    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="ingredients")
    ingredient = models.ForeignKey(Ingredient, on_delete=models.PROTECT, related_name="recipe_uses")
    quantity = decimal_field(validators=[POSITIVE_DECIMAL])
    unit = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)

    objects = RecipeIngredientManager()

    class Meta:
        ordering = ["recipe__name", "ingredient__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipe", "ingredient"], name="bakery_recipeingredient_unique_pair"
            ),
            check(Q(quantity__gt=0), "quantity_positive"),
        ]

    def __str__(self):
        quantity = decimal_text(self.quantity)
        return f"{quantity} {self.unit} {self.ingredient} in {self.recipe}".replace("  ", " ")

    def natural_key(self):
        return (self.recipe.name, self.ingredient.name)

    natural_key.dependencies = ["bakery.recipe", "bakery.ingredient"]


class YieldMode(models.TextChoices):
    DISCRETE_COUNT = "discrete_count", "Discrete count"
    BATCH_PORTION = "batch_portion", "Batch portion"


class FinishedUnit(NamedModel):
    """What one batch of a recipe yields ("Chocolate Chip Cookie", 48 per batch)."""

    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, related_name="finished_units")
    yield_mode = models.CharField(
        max_length=20, choices=YieldMode.choices, default=YieldMode.DISCRETE_COUNT
    )
    items_per_batch = models.IntegerField(null=True, blank=True, validators=[POSITIVE])
    item_unit = models.CharField(max_length=50, blank=True)
    batch_percentage = decimal_field(
        null=True,
        blank=True,
        validators=[POSITIVE_DECIMAL, MaxValueValidator(Decimal(100))],
    )
    inventory_count = models.IntegerField(default=0, validators=[NON_NEGATIVE])

    class Meta(NamedModel.Meta):
        constraints = [
            *NamedModel.Meta.constraints,
            check(Q(yield_mode__in=YieldMode.values), "yield_mode_valid"),
            # Implications rather than "(mode and field) or (mode and field)", so that an
            # unknown mode breaks yield_mode_valid alone and the database names that cause.
            check(
                (~Q(yield_mode=YieldMode.DISCRETE_COUNT) | Q(items_per_batch__isnull=False))
                & (~Q(yield_mode=YieldMode.BATCH_PORTION) | Q(batch_percentage__isnull=False)),
                "yield_field_for_mode",
            ),
            check(
                Q(items_per_batch__isnull=True) | Q(items_per_batch__gt=0),
                "items_per_batch_positive",
            ),
            check(
                Q(batch_percentage__isnull=True)
                | Q(batch_percentage__gt=0, batch_percentage__lte=100),
                "batch_percentage_range",
            ),
            check(Q(inventory_count__gte=0), "inventory_non_negative"),
        ]

    def expected_yield(self, batches: int) -> int | None:
        """Return how many items this many batches should yield: items per batch × batches,
        or for a portion of a batch the whole portions in one batch × batches; None when the
        unit's own yield is not set."""
        if self.yield_mode == YieldMode.BATCH_PORTION:
            if not self.batch_percentage:
                return None
            return int(Decimal(100) / self.batch_percentage) * batches
        if self.items_per_batch is None:
            return None
        return self.items_per_batch * batches

    def clean(self):
        super().clean()
        if self.yield_mode == YieldMode.DISCRETE_COUNT and self.items_per_batch is None:
            raise ValidationError(
                {"items_per_batch": "Required when the yield mode is discrete count."}
            )
        if self.yield_mode == YieldMode.BATCH_PORTION and self.batch_percentage is None:
            raise ValidationError(
                {"batch_percentage": "Required when the yield mode is batch portion."}
            )


class FinishedGood(NamedModel):
    """An assembled item ("Cookie Gift Box")."""

    description = models.TextField(blank=True)
    inventory_count = models.IntegerField(default=0, validators=[NON_NEGATIVE])

    class Meta(NamedModel.Meta):
        constraints = [
            *NamedModel.Meta.constraints,
            check(Q(inventory_count__gte=0), "inventory_non_negative"),
        ]

    def contained_goods(self):
        """Return the ids of every good this one contains, directly or through other goods."""
        edges = {}
        for assembly_id, good_id in Composition.objects.filter(
            finished_good__isnull=False
        ).values_list("assembly_id", "finished_good_id"):
            edges.setdefault(assembly_id, set()).add(good_id)
        seen, todo = set(), [self.pk]
        while todo:
            for child in edges.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen


class CompositionManager(models.Manager):
    def get_by_natural_key(self, assembly_name, finished_unit_name, finished_good_name):
        return self.get(
            assembly__name=assembly_name,
            finished_unit__name=finished_unit_name,
            finished_good__name=finished_good_name,
        )


class Composition(models.Model):
    """One component of a finished good: a quantity of a finished unit or of another good."""

    assembly = models.ForeignKey(FinishedGood, on_delete=models.CASCADE, related_name="components")
    finished_unit = models.ForeignKey(
        FinishedUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="used_in",
    )
    finished_good = models.ForeignKey(
        FinishedGood,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="used_in",
    )
    quantity = models.IntegerField(validators=[POSITIVE])
    sort_order = models.IntegerField(default=0, validators=[NON_NEGATIVE])

    objects = CompositionManager()

    class Meta:
        ordering = ["assembly__name", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "finished_unit"],
                condition=Q(finished_unit__isnull=False),
                name="bakery_composition_unique_unit",
                # A conditional constraint has no readable default message in full_clean().
                violation_error_message="This finished unit is already a component of the good.",
            ),
            models.UniqueConstraint(
                fields=["assembly", "finished_good"],
                condition=Q(finished_good__isnull=False),
                name="bakery_composition_unique_good",
                violation_error_message="This finished good is already a component of the good.",
            ),
            check(
                Q(finished_unit__isnull=False, finished_good__isnull=True)
                | Q(finished_unit__isnull=True, finished_good__isnull=False),
                "exactly_one_component",
                "Choose exactly one component: a finished unit or a good.",
            ),
            check(~Q(finished_good=F("assembly")), "not_self"),
            check(Q(quantity__gt=0), "quantity_positive"),
            check(Q(sort_order__gte=0), "sort_order_non_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.component} in {self.assembly}"

    @property
    def component(self):
        return self.finished_unit or self.finished_good

    def natural_key(self):
        return (
            self.assembly.name,
            self.finished_unit.name if self.finished_unit_id else None,
            self.finished_good.name if self.finished_good_id else None,
        )

    natural_key.dependencies = ["bakery.finishedunit", "bakery.finishedgood"]

    def clean(self):
        super().clean()
        # "Exactly one component" is the exactly_one_component constraint's to say: full_clean()
        # validates it with its message, and raising here as well would report it twice.
        if self.finished_good_id is None or self.assembly_id is None:
            return
        if self.finished_good_id == self.assembly_id:
            raise ValidationError({"finished_good": "A finished good cannot contain itself."})
        if self.assembly_id in self.finished_good.contained_goods():
            raise ValidationError(
                {
                    "finished_good": f"'{self.finished_good}' already contains "
                    f"'{self.assembly}': this would make a cycle."
                }
            )


class Package(NamedModel):
    """A gift package of finished goods."""

    is_template = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta(NamedModel.Meta):
        pass


class PackageFinishedGoodManager(models.Manager):
    def get_by_natural_key(self, package_name, finished_good_name):
        return self.get(package__name=package_name, finished_good__name=finished_good_name)


class PackageFinishedGood(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="contents")
    finished_good = models.ForeignKey(
        FinishedGood, on_delete=models.PROTECT, related_name="package_uses"
    )
    quantity = models.IntegerField(validators=[POSITIVE])

    objects = PackageFinishedGoodManager()

    class Meta:
        verbose_name = "package content"
        ordering = ["package__name", "finished_good__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "finished_good"], name="bakery_packagefinishedgood_unique_pair"
            ),
            check(Q(quantity__gt=0), "quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.finished_good} in {self.package}"

    def natural_key(self):
        return (self.package.name, self.finished_good.name)

    natural_key.dependencies = ["bakery.package", "bakery.finishedgood"]


class Recipient(NamedModel):
    household_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    address = models.TextField(blank=True)

    class Meta(NamedModel.Meta):
        pass


class Event(NamedModel):
    event_date = models.DateField()
    year = models.IntegerField(blank=True, validators=[POSITIVE])

    class Meta(NamedModel.Meta):
        ordering = ["event_date", "name"]
        constraints = [
            *NamedModel.Meta.constraints,
            check(Q(year__gt=0), "year_positive"),
        ]

    def save(self, *args, **kwargs):
        if self.year is None and isinstance(self.event_date, datetime.date):
            self.year = self.event_date.year
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        if self.year is None and isinstance(self.event_date, datetime.date):
            self.year = self.event_date.year
        super().clean_fields(exclude=exclude)


class FulfillmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    DELIVERED = "delivered", "Delivered"


class EventRecipientPackageManager(models.Manager):
    def get_by_natural_key(self, event_name, recipient_name, package_name):
        return self.get(
            event__name=event_name, recipient__name=recipient_name, package__name=package_name
        )


class EventRecipientPackage(models.Model):
    """A package given to a recipient for an event, and how far it is from delivered."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="recipient_packages")
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="event_packages"
    )
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="event_uses")
    quantity = models.IntegerField(default=1, validators=[POSITIVE])
    fulfillment_status = models.CharField(
        max_length=20, choices=FulfillmentStatus.choices, default=FulfillmentStatus.PENDING
    )
    delivered_to = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    notes = models.TextField(blank=True)

    objects = EventRecipientPackageManager()

    class Meta:
        verbose_name = "package assignment"
        ordering = ["event__event_date", "event__name", "recipient__name", "package__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient", "package"],
                name="bakery_eventrecipientpackage_unique_triple",
            ),
            check(Q(quantity__gt=0), "quantity_positive"),
            check(Q(fulfillment_status__in=FulfillmentStatus.values), "status_valid"),
        ]

    def __str__(self):
        return f"{self.package} for {self.recipient} ({self.event})"

    def natural_key(self):
        return (self.event.name, self.recipient.name, self.package.name)

    natural_key.dependencies = ["bakery.event", "bakery.recipient", "bakery.package"]
