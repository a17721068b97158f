"""Package assignments: each step of the fulfillment workflow goes through its service."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from bakery.adminkit import BakeryAdmin
from bakery.models import EventRecipientPackage, FulfillmentStatus
from production.services import (
    NEXT_STATUS,
    FulfillmentError,
    advance_fulfillment,
    check_fulfillment,
)


def step_label(status: str) -> str:
    """Name the step to a status, as a button says it: "Mark ready"."""
    return f"Mark {FulfillmentStatus(status).label.lower()}"


def step_done(status: str) -> str:
    """Name the step to a status once taken, as the history says it: "Marked ready"."""
    return f"Marked {FulfillmentStatus(status).label.lower()}"


def refusal(assignment: EventRecipientPackage, status: str) -> FulfillmentError | None:
    """Return why the service would refuse the step, or None if it would take it."""
    try:
        check_fulfillment(assignment, status)
    except FulfillmentError as error:
        return error
    return None


@admin.register(EventRecipientPackage)
class EventRecipientPackageAdmin(BakeryAdmin):
    # The status comes right after the link, so a phone shows it without scrolling sideways.
    list_display = ("recipient", "fulfillment_status", "package", "event", "quantity")
    list_filter = ("event", "fulfillment_status", "package")
    list_select_related = ("event", "recipient", "package")
    search_fields = ("recipient__name", "recipient__household_name", "package__name", "event__name")
    autocomplete_fields = ("event", "recipient", "package")
    actions = ("mark_ready", "mark_delivered")
    confirmation_template = "production/fulfillment_confirmation.html"

    class Media:
        css = {"all": ("production/assignments.css",)}

    def get_readonly_fields(self, request, obj=None):
        # The status of an existing assignment moves only through the workflow steps.
        if obj is not None:
            return ("fulfillment_status",)
        return ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/next-step/",
                self.admin_site.admin_view(self.next_step_view),
                name="{}_{}_next_step".format(*info),
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            current = FulfillmentStatus(obj.fulfillment_status)
            following = NEXT_STATUS.get(current)
            context["fulfillment"] = {
                "current": current.label,
                "next": following,
                "label": following and step_label(following),
                "url": self._preserving_filters(request, self._url("next_step", obj.pk)),
                "may_change": self.has_change_permission(request, obj),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def next_step_view(self, request, object_id):
        """Take the step the change page offered, then go back to that page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        assignment = self.get_object(request, unquote(object_id))
        if assignment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, assignment):
            raise PermissionDenied
        # The status the page showed as next: a stale page asks for a step already taken,
        # which the service refuses instead of repeating or skipping one.
        status = request.POST.get("status", "")
        if self._take_step(request, assignment, status):
            self.message_user(request, f"{step_done(status)}: {assignment}.", messages.SUCCESS)
        return HttpResponseRedirect(
            self._preserving_filters(request, self._url("change", assignment.pk))
        )

    @admin.action(description=step_label(FulfillmentStatus.READY), permissions=("change",))
    def mark_ready(self, request, queryset):
        # Ready is the everyday step of packing, taken in batches; delivered, the final one,
        # is the step confirmed first.
        self._advance(request, queryset, FulfillmentStatus.READY)

    @admin.action(description=step_label(FulfillmentStatus.DELIVERED), permissions=("change",))
    def mark_delivered(self, request, queryset):
        if request.POST.get("post") != "yes":
            confirmation = self._confirmation(request, queryset, FulfillmentStatus.DELIVERED)
            if confirmation is not None:
                return confirmation
        self._advance(request, queryset, FulfillmentStatus.DELIVERED)
        return None

    def _confirmation(self, request, queryset, status):
        """Return the page asking to confirm a step, or None when no assignment would move."""
        changes, refusals = [], []
        for assignment in queryset.select_related("event", "recipient", "package"):
            error = refusal(assignment, status)
            if error is None:
                changes.append(assignment)
            else:
                refusals.append((assignment, error))
        if not changes:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{step_label(status)}?",
            "subtitle": None,
            "opts": self.opts,
            "media": self.media,
            "step": step_label(status),
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changes": changes,
            "refusals": refusals,
            "objects_name": model_ngettext(self.opts, len(changes)),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.confirmation_template, context)

    def _advance(self, request, queryset, status):
        """Apply a workflow step to each selected assignment, reporting each refusal."""
        moved = sum(
            self._take_step(request, assignment, status)
            for assignment in queryset.select_related("event", "recipient", "package")
        )
        if moved:
            label = FulfillmentStatus(status).label.lower()
            self.message_user(
                request,
                f"Marked {moved} {model_ngettext(self.opts, moved)} {label}.",
                messages.SUCCESS,
            )

    def _take_step(self, request, assignment, status) -> bool:
        """Move one assignment through the service and record it in the history."""
        try:
            advance_fulfillment(assignment, status)
        except FulfillmentError as error:
            self.message_user(request, str(error), messages.WARNING)
            return False
        self.log_change(request, assignment, step_done(status))
        return True

    def _url(self, view, pk):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[pk],
            current_app=self.admin_site.name,
        )

    def _preserving_filters(self, request, url):
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}
        return add_preserved_filters(context, url)
