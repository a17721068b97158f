"""Production and assembly targets on their own lists (the event page edits them inline)."""

from django.contrib import admin

from bakery.adminkit import BakeryAdmin
from production.models import EventAssemblyTarget, EventProductionTarget


@admin.register(EventProductionTarget)
class EventProductionTargetAdmin(BakeryAdmin):
    list_display = ("event", "recipe", "target_batches")
    list_filter = ("event",)
    list_select_related = ("event", "recipe")
    search_fields = ("event__name", "recipe__name")
    autocomplete_fields = ("event", "recipe")


@admin.register(EventAssemblyTarget)
class EventAssemblyTargetAdmin(BakeryAdmin):
    list_display = ("event", "finished_good", "target_quantity")
    list_filter = ("event",)
    list_select_related = ("event", "finished_good")
    search_fields = ("event__name", "finished_good__name")
    autocomplete_fields = ("event", "finished_good")
