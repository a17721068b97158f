"""The base classes of every admin page of the project, so that a rule of display is kept once.

Every model admin is a BakeryAdmin (the export action, and the project's way of showing
values) and every inline a BakeryInline. A subclass that sets its own formfield_overrides
extends the base's ({**BakeryAdmin.formfield_overrides, ...}) so as to keep these rules.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.db import models

from exchange.admin import ExportActionMixin

from .numbers import decimal_text, trimmed


class DecimalInput(forms.NumberInput):
    """A number input showing a stored decimal without its trailing zeros: 2.25, not 2.2500."""

    def format_value(self, value):
        # A value typed in and sent back with an error is shown as it was typed.
        if isinstance(value, Decimal):
            value = trimmed(value) if self.is_localized else decimal_text(value)
        return super().format_value(value)


def decimal_column(field):
    """Return a display of a DecimalField without trailing zeros, headed and sorted as the field.

    Django shows a DecimalField with all its decimal places (2.2500); a model admin lists
    this instead, and a read-only decimal can be shown with it in readonly_fields.
    """
    name = field.name

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        # A Decimal, not text, so that the admin still formats it for the locale.
        return None if value is None else trimmed(value)

    # The column keeps the field's CSS classes (column-<name>, field-<name>).
    column.__name__ = name
    return column


class BakeryAdmin(ExportActionMixin, admin.ModelAdmin):
    """A model admin of the project."""

    formfield_overrides = {models.DecimalField: {"widget": DecimalInput}}

    # A join table edited inline on its parent's page: its own pages still open (its change
    # list offers the export), but the index and the navigation do not list it.
    inline_only = False

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # An editable column stays the field itself, which the list's form needs by name.
        self.decimal_columns = {
            field.name: decimal_column(field)
            for field in model._meta.concrete_fields
            if isinstance(field, models.DecimalField) and field.name not in self.list_editable
        }

    def with_decimal_columns(self, names):
        """Return the list_display names with each DecimalField's name replaced by its column."""
        if names is None:
            return None
        return [self.decimal_columns.get(name, name) for name in names]

    def get_list_display(self, request):
        return self.with_decimal_columns(super().get_list_display(request))

    def get_list_display_links(self, request, list_display):
        return self.with_decimal_columns(super().get_list_display_links(request, list_display))

    def get_sortable_by(self, request):
        return self.with_decimal_columns(super().get_sortable_by(request))

    def has_module_permission(self, request):
        return not self.inline_only and super().has_module_permission(request)


class BakeryInline(admin.TabularInline):
    """An inline of the project."""

    formfield_overrides = {
        **BakeryAdmin.formfield_overrides,
        # A note is a line of a row, not a tall block.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
    }
