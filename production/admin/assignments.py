"""Package assignments: each step of the fulfillment workflow goes through its service."""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext

from bakery.adminkit import BakeryAdmin
from bakery.models import EventRecipientPackage
from production.services import FulfillmentError, mark_delivered, mark_ready


@admin.register(EventRecipientPackage)
class EventRecipientPackageAdmin(BakeryAdmin):
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
