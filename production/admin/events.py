"""The event page: its targets and assignments inline, its progress and what is left to do.

The plan shows under the progress bars, with a printable page and the shopping and packing
lists as CSV downloads (views of this admin, so the admin's login and permissions hold).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify

from bakery.adminkit import BakeryAdmin, BakeryInline
from bakery.models import Event, EventRecipientPackage
from production.models import EventAssemblyTarget, EventProductionTarget
from production.report import CSV_LISTS, PACKING, plan_csv, plan_tables
from production.services import event_plan, event_progress, nearest_first_ordering


def render_progress(progress) -> str:
    """Return an event's progress as HTML: the summary per kind and a bar per target."""
    return render_to_string("production/progress.html", {"progress": progress})


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
    # The status first: on a phone it is what the baker looks for, and stays in view.
    fields = ("fulfillment_status", "recipient", "package", "quantity", "delivered_to")
    # New assignments start pending; after that only the workflow steps move the status.
    readonly_fields = ("fulfillment_status",)
    show_change_link = True
    extra = 1


class NearestFirstChangeList(ChangeList):
    """The event list in its default order, nearest upcoming first, which no column's
    heading claims (Django would mark the model's Meta ordering as the sorted columns)."""

    def get_ordering_field_columns(self):
        if ORDER_VAR not in self.params:
            return {}
        return super().get_ordering_field_columns()


@admin.register(Event)
class EventAdmin(BakeryAdmin):
    list_display = ("name", "event_date", "year", "progress_summary")
    list_filter = ("year",)
    search_fields = ("name",)
    date_hierarchy = "event_date"
    readonly_fields = ("progress", "plan", "plan_without_packing")
    inlines = (EventProductionTargetInline, EventAssemblyTargetInline, EventRecipientPackageInline)

    def get_ordering(self, request):
        # The nearest upcoming event first, as event_progress lists them; a column's
        # heading still sorts by that column.
        return nearest_first_ordering(timezone.localdate())

    def get_changelist(self, request, **kwargs):
        return NearestFirstChangeList

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ("name", "event_date", "year", "notes")})]
        if obj is not None:
            plan = "plan" if self.may_see_packing(request) else "plan_without_packing"
            fieldsets.append(("Progress", {"fields": ("progress",)}))
            fieldsets.append(("What is left to do", {"fields": (plan,)}))
        return fieldsets

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/plan/", view(self.plan_view), name=f"{name}_plan"),
            path(
                "<path:object_id>/plan/<slug:list_name>.csv",
                view(self.plan_csv_view),
                name=f"{name}_plan_csv",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="progress")
    def progress_summary(self, obj):
        progress = event_progress(obj)
        return (
            f"targets complete: {progress.targets_complete}/{progress.targets_total}, "
            f"packages delivered: {progress.packages['delivered']}/{progress.packages['total']}"
        )

    @admin.display(description="progress")
    def progress(self, obj):
        return render_progress(event_progress(obj))

    @admin.display(description="plan")
    def plan(self, obj):
        return self._plan_section(obj, with_packing=True)

    @admin.display(description="plan")
    def plan_without_packing(self, obj):
        return self._plan_section(obj, with_packing=False)

    def may_see_packing(self, request) -> bool:
        """Whether the user may see who gets which package: the assignments' view permission."""
        assignments = self.admin_site.get_model_admin(EventRecipientPackage)
        return assignments.has_view_permission(request)

    def _plan_section(self, event, with_packing: bool) -> str:
        return render_to_string(
            "production/plan_section.html", self._plan_context(event, with_packing)
        )

    def _plan_context(self, event, with_packing: bool) -> dict:
        """Return the plan's tables and the addresses of its printable page and CSV lists,
        the packing list only for users who may see the package assignments."""
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        hidden = set() if with_packing else {PACKING}
        return {
            "event": event,
            "tables": [t for t in plan_tables(event_plan(event)) if t.key not in hidden],
            "links": {
                "print": reverse(f"{name}_plan", args=[event.pk]),
                **{
                    list_name: reverse(f"{name}_plan_csv", args=[event.pk, list_name])
                    for list_name in CSV_LISTS
                    if list_name not in hidden
                },
            },
        }

    def _viewable_event(self, request, object_id) -> Event:
        event = self.get_object(request, unquote(object_id))
        if event is None:
            raise Http404(f"No event with the key {object_id!r}.")
        if not self.has_view_permission(request, event):
            raise PermissionDenied
        return event

    def plan_view(self, request, object_id):
        """The plan on a page of its own, to print: no admin chrome, a print stylesheet."""
        event = self._viewable_event(request, object_id)
        context = {
            **self._plan_context(event, self.may_see_packing(request)),
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[event.pk]
            ),
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "production/plan_print.html", context)

    def plan_csv_view(self, request, object_id, list_name):
        """The event's shopping list or packing list as a CSV download."""
        event = self._viewable_event(request, object_id)
        if list_name not in CSV_LISTS:
            raise Http404(f"No list {list_name!r}; the lists are {', '.join(CSV_LISTS)}.")
        if list_name == PACKING and not self.may_see_packing(request):
            raise PermissionDenied
        filename = f"{slugify(event.name) or 'event'}-{list_name}-list.csv"
        return HttpResponse(
            plan_csv(event_plan(event), list_name),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
