"""Admin for events, their targets and package assignments, and the production records.

Event and EventRecipientPackage are bakery models, but their admin lives here: the event page
shows production targets inline and the event's progress, and the assignment actions go
through the fulfillment workflow, both of which are production's. bakery never imports
production, so keeping these here avoids a circular import.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.utils.html import format_html, format_html_join

from bakery.models import Event, EventRecipientPackage
from exchange.admin import ExportActionMixin

from .models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from .services import FulfillmentError, event_progress, mark_delivered, mark_ready


def percent_text(pct: Decimal) -> str:
    """Return a percentage without trailing zeros: 75, 33.3, 150."""
    return f"{pct.normalize():f}"


def progress_item(name, done, target, unit, pct, is_complete, extra=""):
    """Return one target's progress as an HTML list item with a progress bar."""
    pct_text = percent_text(pct)
    return format_html(
        '<li>{}: {}/{} {} ({}%){} <progress max="{}" value="{}">{}%</progress>{}</li>',
        name,
        done,
        target,
        unit,
        pct_text,
        extra,
        target,
        done,
        pct_text,
        format_html(' <strong class="complete">{}</strong>', "✓ complete") if is_complete else "",
    )


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


class EventProductionTargetInline(admin.TabularInline):
    model = EventProductionTarget
    autocomplete_fields = ("recipe",)
    fields = ("recipe", "target_batches", "notes")
    extra = 1


class EventAssemblyTargetInline(admin.TabularInline):
    model = EventAssemblyTarget
    autocomplete_fields = ("finished_good",)
    fields = ("finished_good", "target_quantity", "notes")
    extra = 1


class EventRecipientPackageInline(admin.TabularInline):
    model = EventRecipientPackage
    autocomplete_fields = ("recipient", "package")
    fields = ("recipient", "package", "quantity", "fulfillment_status", "delivered_to")
    # New assignments start pending; after that only the workflow actions move the status.
    readonly_fields = ("fulfillment_status",)
    show_change_link = True
    extra = 1


@admin.register(Event)
class EventAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("name", "event_date", "year", "progress_summary")
    list_filter = ("year",)
    search_fields = ("name",)
    date_hierarchy = "event_date"
    readonly_fields = ("progress",)
    inlines = (EventProductionTargetInline, EventAssemblyTargetInline, EventRecipientPackageInline)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ("name", "event_date", "year", "notes")})]
        if obj is not None:
            fieldsets.append(("Progress", {"fields": ("progress",)}))
        return fieldsets

    @admin.display(description="progress")
    def progress_summary(self, obj):
        progress = event_progress(obj)
        return (
            f"targets complete: {progress.targets_complete}/{progress.targets_total}, "
            f"packages delivered: {progress.packages['delivered']}/{progress.packages['total']}"
        )

    @admin.display(description="progress")
    def progress(self, obj):
        progress = event_progress(obj)
        production = format_html_join(
            "",
            "{}",
            (
                (
                    progress_item(
                        p.recipe_name,
                        p.produced_batches,
                        p.target_batches,
                        "batches",
                        p.progress_pct,
                        p.is_complete,
                        format_html(", {} made", p.produced_yield),
                    ),
                )
                for p in progress.production
            ),
        )
        assembly = format_html_join(
            "",
            "{}",
            (
                (
                    progress_item(
                        a.finished_good_name,
                        a.assembled_quantity,
                        a.target_quantity,
                        "assembled",
                        a.progress_pct,
                        a.is_complete,
                    ),
                )
                for a in progress.assembly
            ),
        )
        packages = progress.packages
        # The admin's aligned forms indent every list past the label column, which this
        # field has already cleared: without this a bar wraps under its target's line.
        return format_html(
            "<p>Targets complete: {}/{}</p>"
            '<h4>Production</h4><ul style="margin-left: 0">{}</ul>'
            '<h4>Assembly</h4><ul style="margin-left: 0">{}</ul>'
            "<p>Packages: {} pending, {} ready, {} delivered, {} in all</p>",
            progress.targets_complete,
            progress.targets_total,
            production or format_html("<li>{}</li>", "No production targets."),
            assembly or format_html("<li>{}</li>", "No assembly targets."),
            packages["pending"],
            packages["ready"],
            packages["delivered"],
            packages["total"],
        )


@admin.register(EventRecipientPackage)
class EventRecipientPackageAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("event", "recipient", "package", "quantity", "fulfillment_status")
    list_filter = ("event", "fulfillment_status", "package")
    list_select_related = ("event", "recipient", "package")
    search_fields = ("recipient__name", "recipient__household_name", "package__name", "event__name")
    autocomplete_fields = ("event", "recipient", "package")
    actions = ("mark_ready", "mark_delivered")

    def get_readonly_fields(self, request, obj=None):
        # The status of an existing assignment moves only through the workflow actions.
        if obj is not None:
            return ("fulfillment_status",)
        return ()

    @admin.action(description="Mark ready", permissions=("change",))
    def mark_ready(self, request, queryset):
        self._advance(request, queryset, mark_ready, "ready")

    @admin.action(description="Mark delivered", permissions=("change",))
    def mark_delivered(self, request, queryset):
        self._advance(request, queryset, mark_delivered, "delivered")

    def _advance(self, request, queryset, step, status_label):
        """Apply a workflow step to each selected assignment, reporting each refusal."""
        moved = 0
        for assignment in queryset.select_related("event", "recipient", "package"):
            try:
                step(assignment)
            except FulfillmentError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                f"Marked {moved} {model_ngettext(self.opts, moved)} {status_label}.",
                messages.SUCCESS,
            )


@admin.register(ProductionRun)
class ProductionRunAdmin(ExportActionMixin, admin.ModelAdmin):
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
class AssemblyRunAdmin(ExportActionMixin, admin.ModelAdmin):
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


@admin.register(EventProductionTarget)
class EventProductionTargetAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("event", "recipe", "target_batches")
    list_filter = ("event",)
    list_select_related = ("event", "recipe")
    search_fields = ("event__name", "recipe__name")
    autocomplete_fields = ("event", "recipe")


@admin.register(EventAssemblyTarget)
class EventAssemblyTargetAdmin(ExportActionMixin, admin.ModelAdmin):
    list_display = ("event", "finished_good", "target_quantity")
    list_filter = ("event",)
    list_select_related = ("event", "finished_good")
    search_fields = ("event__name", "finished_good__name")
    autocomplete_fields = ("event", "finished_good")
