"""The admin's forms of runs: what the baker may leave for the recipe's data to fill in."""

from django import forms
from django.core.exceptions import ValidationError

from bakery.models import Recipe

from .models import ProductionRun

RUN_FORM_MESSAGES = {
    "no_unit": "'{recipe}' has no finished unit yet; add one to the recipe first.",
    "choose_unit": "Choose which finished unit of '{recipe}' was made: {units}.",
    "no_yield": "'{unit}' has no yield per batch to work it out from; enter the expected yield.",
}


def run_form_error(code: str, **params) -> ValidationError:
    """Build the error for a code of RUN_FORM_MESSAGES."""
    return ValidationError(RUN_FORM_MESSAGES[code].format(**params), code=code)


def expected_yield_of(unit, batches: int) -> int:
    """Return what the batches of the unit should yield, or refuse a unit with no yield set."""
    expected = unit.expected_yield(batches)
    if expected is None:
        raise run_form_error("no_yield", unit=unit)
    return expected


class ProductionRunForm(forms.ModelForm):
    """A production run whose finished unit and expected yield may be left to the recipe's."""

    class Meta:
        model = ProductionRun
        fields = (
            "recipe",
            "finished_unit",
            "event",
            "num_batches",
            "expected_yield",
            "actual_yield",
            "produced_at",
            "total_ingredient_cost",
            "per_unit_cost",
            "notes",
        )
        help_texts = {
            "finished_unit": "Left empty, the recipe's finished unit when it has only one.",
            "expected_yield": "Left empty, the finished unit's yield per batch × batches.",
        }

    def __init__(self, *args, initial=None, **kwargs):
        super().__init__(*args, initial=initial, **kwargs)
        for name in ("finished_unit", "expected_yield"):
            if name in self.fields:
                self.fields[name].required = False
        # The model's default of 0 would read as "nothing expected": a new run starts empty.
        if self.instance._state.adding and "expected_yield" not in (initial or {}):
            self.initial["expected_yield"] = None

    def clean(self):
        cleaned_data = super().clean()
        # A key present with None is a field left empty; a missing key, a field with its error.
        if "finished_unit" in cleaned_data and cleaned_data["finished_unit"] is None:
            self._fill_finished_unit(cleaned_data.get("recipe"))
        if "expected_yield" in cleaned_data and cleaned_data["expected_yield"] is None:
            self._fill_expected_yield(
                cleaned_data.get("finished_unit"), cleaned_data.get("num_batches")
            )
        return cleaned_data

    def _fill_finished_unit(self, recipe):
        """Choose the recipe's only finished unit, or say which choice is the baker's."""
        if recipe is None:
            field = self.fields["finished_unit"]
            self.add_error(
                "finished_unit", ValidationError(field.error_messages["required"], "required")
            )
            return
        units = list(recipe.finished_units.order_by("name"))
        if len(units) == 1:
            self.cleaned_data["finished_unit"] = units[0]
        elif not units:
            self.add_error("finished_unit", run_form_error("no_unit", recipe=recipe))
        else:
            names = ", ".join(unit.name for unit in units)
            self.add_error(
                "finished_unit", run_form_error("choose_unit", recipe=recipe, units=names)
            )

    def _fill_expected_yield(self, unit, batches):
        """Work the expected yield out from the unit and the batches, once both are valid."""
        # Batches below 1 are the model's to refuse, once, on their own field.
        if unit is None or batches is None or batches < 1:
            return
        try:
            self.cleaned_data["expected_yield"] = expected_yield_of(unit, batches)
        except ValidationError as error:
            self.add_error("expected_yield", error)


class YieldsQuery(forms.Form):
    """The question of the run form's script: a recipe, and optionally a number of batches."""

    recipe = forms.ModelChoiceField(Recipe.objects.all())
    batches = forms.IntegerField(min_value=1, required=False)

    def answer(self) -> dict:
        """Return the recipe's finished units and what each would yield for the batches."""
        batches = self.cleaned_data["batches"]
        units = self.cleaned_data["recipe"].finished_units.order_by("name")
        return {
            "units": [
                {
                    "id": unit.pk,
                    "name": unit.name,
                    "expected_yield": None if batches is None else unit.expected_yield(batches),
                }
                for unit in units
            ]
        }
