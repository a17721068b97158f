"""The event page: its targets and assignments inline, its progress and plan."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from bakery.adminkit import BakeryAdmin, BakeryInline
from bakery.models import Event, EventRecipientPackage
from production.models import EventAssemblyTarget, EventProductionTarget
from production.services import decimal_text, event_progress


def progress_item(name, done, target, unit, pct, is_complete, extra=""):
    """Return one target's progress as an HTML list item with a progress bar."""
    pct_text = decimal_text(pct)
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


class EventProductionTargetInline(BakeryInline):
    model = EventProductionTarget
    autocomplete_fields = ("recipe",)
    fields = ("recipe", "target_batches", "notes")
    extra = 1


class EventAssemblyTargetInline(BakeryInline):
    model = EventAssemblyTarget
    autocomplete_fields = ("finished_good",)
    fields = ("finished_good", "target_quantity", "notes")
    extra = 1


class EventRecipientPackageInline(BakeryInline):
    model = EventRecipientPackage
    autocomplete_fields = ("recipient", "package")
    fields = ("recipient", "package", "quantity", "fulfillment_status", "delivered_to")
    # New assignments start pending; after that only the workflow actions move the status.
    readonly_fields = ("fulfillment_status",)
    show_change_link = True
    extra = 1


@admin.register(Event)
class EventAdmin(BakeryAdmin):
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
