"""Production and assembly runs: what was made, for which event or none."""

from django.contrib import admin

from bakery.adminkit import BakeryAdmin
from production.models import AssemblyRun, ProductionRun


class AttributionFilter(admin.SimpleListFilter):
    """Split runs into standalone ones and those made for an event."""

    title = "attribution"
    parameter_name = "attribution"

    def lookups(self, request, model_admin):
        return (("standalone", "Standalone"), ("event", "For an event"))

    def queryset(self, request, queryset):
        if self.value() == "standalone":
            return queryset.filter(event__isnull=True)
        if self.value() == "event":
            return queryset.filter(event__isnull=False)
        return queryset


@admin.display(description="event", ordering="event__event_date")
def attribution(run):
    """Return the run's event name, or say it is standalone."""
    return run.event.name if run.event_id else "standalone"


@admin.register(ProductionRun)
class ProductionRunAdmin(BakeryAdmin):
    list_display = (
        "produced_at",
        "recipe",
        "finished_unit",
        attribution,
        "num_batches",
        "actual_yield",
        "total_ingredient_cost",
    )
    list_filter = (AttributionFilter, "event", "recipe")
    list_select_related = ("recipe", "finished_unit", "event")
    search_fields = ("recipe__name", "finished_unit__name", "event__name")
    autocomplete_fields = ("recipe", "finished_unit", "event")
    date_hierarchy = "produced_at"
    readonly_fields = ("uuid",)


@admin.register(AssemblyRun)
class AssemblyRunAdmin(BakeryAdmin):
    list_display = (
        "assembled_at",
        "finished_good",
        attribution,
        "quantity_assembled",
        "total_component_cost",
    )
    list_filter = (AttributionFilter, "event", "finished_good")
    list_select_related = ("finished_good", "event")
    search_fields = ("finished_good__name", "event__name")
    autocomplete_fields = ("finished_good", "event")
    date_hierarchy = "assembled_at"
    readonly_fields = ("uuid",)
