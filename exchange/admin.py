"""The admin's "Export selected … as bakery JSON" action, over the one exporter."""

import datetime
import io
import tempfile

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import FileResponse

from .exporter import export_document
from .permissions import may_export
from .scope import selection_scope
from .snapshot import snapshot

ACTION_NAME = "export_bakery_json"


def export_response(queryset) -> FileResponse:
    """Return the document of the selected records and what they reference, as a download."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="\n")
    try:
        with snapshot():
            export_document(text, scope=selection_scope(queryset))
    except BaseException:
        text.close()
        raise
    text.flush()
    text.detach()
    spool.seek(0)
    filename = f"bakery-export-{datetime.date.today():%Y-%m-%d}.json"
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type="application/json"
    )


@admin.action(description="Export selected %(verbose_name_plural)s as bakery JSON")
def export_bakery_json(modeladmin, request, queryset):
    if not may_export(request.user):
        raise PermissionDenied
    try:
        return export_response(queryset)
    except DatabaseError as exc:
        # The document is written whole before the download begins: the user is told, on
        # the page the action came from, instead of a server error. (PostgreSQL's message
        # goes on with the query's text on further lines.)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        modeladmin.message_user(
            request,
            f"The export failed, the database refused it: {reason}. Nothing was downloaded.",
            messages.ERROR,
        )
        return None


class ExportActionMixin:
    """Offer the bakery export action to users who may view everything it writes."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if may_export(request.user):
            actions[ACTION_NAME] = self.get_action(export_bakery_json)
        return actions

    def changelist_view(self, request, extra_context=None):
        # Hidden actions are otherwise answered with "No action selected"; a forged request
        # for this one is refused outright.
        forged = request.method == "POST" and request.POST.get("action") == ACTION_NAME
        if forged and not may_export(request.user):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)
