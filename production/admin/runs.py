"""Production and assembly runs: what was made, for which event or none."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone

from bakery.adminkit import BakeryAdmin
from bakery.models import Event
from production.forms import ProductionRunForm, YieldsQuery
from production.models import AssemblyRun, ProductionRun
from production.services import nearest_first

STANDALONE = "None (standalone)"


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


class RunAdmin(BakeryAdmin):
    """What the pages of runs share: made now unless told, an event chosen from the nearest
    upcoming one, and the uuid shown read-only in a folded fieldset at the end."""

    # The name of the run's time field.
    made_at = None
    readonly_fields = ("uuid",)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault(self.made_at, timezone.now().replace(microsecond=0))
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = nearest_first(Event.objects.all(), timezone.localdate())
            kwargs["empty_label"] = STANDALONE
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fields = [name for name in self.get_fields(request, obj) if name != "uuid"]
        fieldsets = [(None, {"fields": fields})]
        # A new run gets its uuid as it is saved: the add form has none to show yet.
        if obj is not None:
            fieldsets.append(("Record", {"classes": ("collapse",), "fields": ("uuid",)}))
        return fieldsets


@admin.register(ProductionRun)
class ProductionRunAdmin(RunAdmin):
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
    autocomplete_fields = ("recipe", "finished_unit")
    date_hierarchy = made_at = "produced_at"
    form = ProductionRunForm

    class Media:
        js = ("admin/js/jquery.init.js", "production/run_form.js")

    def get_urls(self):
        view = self.admin_site.admin_view(self.yields_view)
        return [path("yields/", view, name=self._yields_name()), *super().get_urls()]

    def _yields_name(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_yields"

    def yields_view(self, request):
        """Answer the form's script: the recipe's finished units and their expected yields."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        query = YieldsQuery(request.GET)
        if not query.is_valid():
            return JsonResponse({"errors": query.errors.get_json_data()}, status=400)
        return JsonResponse(query.answer())

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "expected_yield":
            url = reverse(f"{self.admin_site.name}:{self._yields_name()}")
            kwargs["widget"] = forms.NumberInput(attrs={"data-yields-url": url})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(AssemblyRun)
class AssemblyRunAdmin(RunAdmin):
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
    autocomplete_fields = ("finished_good",)
    date_hierarchy = made_at = "assembled_at"
