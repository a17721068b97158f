"""The base classes of every admin page of the project, so that a rule of display is kept once.

Every model admin is a BakeryAdmin (the export action, and the project's way of showing
values) and every inline a BakeryInline.
"""

from django.contrib import admin

from exchange.admin import ExportActionMixin


class BakeryAdmin(ExportActionMixin, admin.ModelAdmin):
    """A model admin of the project."""


class BakeryInline(admin.TabularInline):
    """An inline of the project."""
