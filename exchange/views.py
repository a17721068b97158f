"""The admin's "Import bakery data" page: upload, preview (a dry run), confirm, result.

The preview and the import are the one importer's dry run and real run of the same stored
bytes. The import runs inside a transaction of its own and is kept only if its result is the
preview's: otherwise the database changed in between, and the user gets a fresh preview.
"""

import hashlib
import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .baketracker import import_any
from .errors import ExchangeError
from .forms import ConfirmForm, ImportForm
from .permissions import may_import, may_replace
from .results import deletion_lines, file_phrase, totals
from .schema import SECTION_BY_KEY
from .streams import Source
from .uploads import (
    PENDING,
    LimitedUploadHandler,
    checksum,
    discard,
    max_upload_size,
    store,
    stored_path,
)
from .writer import lock_for_writing

RESULT = "bakery_import_result"


def _run(pending: dict, dry_run: bool):
    source = Source(str(stored_path(pending)))
    try:
        # Our own documents and bake-tracker backups alike.
        return import_any(source, mode=pending["mode"], dry_run=dry_run)
    finally:
        source.close()


def _problem_lines(exc: ExchangeError, pending: dict) -> list[str]:
    """Return the problems as the command prints them, naming the file as the user knows it."""
    path = str(stored_path(pending))
    return [line.replace(path, pending["name"]) for line in str(exc).splitlines()]


def _signature(result) -> str:
    """Return a digest of everything an import does: counts, changes and deletions."""
    content = {
        "mode": result.mode,
        "sections": {key: list(r.counts) for key, r in result.sections.items()},
        "deleted": result.deleted,
        "deletions": [[d.section, d.count, list(d.first)] for d in result.deletions],
        "changes": [[c.location, c.record, c.fields, c.applied] for c in result.changes],
        "changes_total": result.changes_total,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _summary(result, name: str) -> dict:
    """Return what an import did (or would do), as plain data for a template or the session."""
    sections = [
        {
            "key": key,
            "label": str(SECTION_BY_KEY[key].model._meta.verbose_name_plural),
            "counts": list(r.counts),
        }
        for key, r in result.sections.items()
        if r.total
    ]
    return {
        "name": name,
        "mode": result.mode,
        "sections": sections,
        "totals": list(totals(result)),
        "holds": file_phrase(result),
        "report": list(result.report),
        "deleted": result.deleted,
        "deletions": deletion_lines(result.deletions),
        "scope": result.scope,
        "changes": [
            {"location": c.location, "record": c.record, "fields": c.fields, "applied": c.applied}
            for c in result.changes
        ],
        "changes_total": result.changes_total,
        "changes_more": result.changes_total - len(result.changes),
        "warnings": [str(w) for w in result.warnings],
        "warnings_more": result.warnings_total - len(result.warnings),
    }


def _render(request, template: str, title: str, **context):
    return TemplateResponse(
        request, template, {**admin.site.each_context(request), "title": title, **context}
    )


def _check_permission(request):
    if not may_import(request.user):
        raise PermissionDenied


@csrf_exempt
def import_view(request):
    """Show the upload form; take an upload, keep it, and go to its preview."""
    _check_permission(request)
    handler = LimitedUploadHandler(request, max_upload_size())
    # The handlers are set before the body is read: the CSRF check, which reads it, follows.
    request.upload_handlers.insert(0, handler)
    return _import_form(request, handler)


@csrf_protect
def _import_form(request, handler):
    allow_replace = may_replace(request.user)
    options = {"allow_replace": allow_replace, "max_size": handler.limit}
    if request.method != "POST":
        form = ImportForm(too_large=False, **options)
    else:
        form = ImportForm(request.POST, request.FILES, too_large=handler.exceeded, **options)
        if form.is_valid():
            store(request.session, form.cleaned_data["file"], form.cleaned_data["mode"])
            return redirect("exchange:preview")
    return _render(
        request,
        "exchange/import_form.html",
        "Import bakery data",
        form=form,
        max_size=handler.limit,
    )


def preview_view(request):
    """Show what importing the uploaded file would do, by a dry run: nothing is written."""
    _check_permission(request)
    pending = request.session.get(PENDING)
    if not pending or not stored_path(pending).is_file():
        messages.error(request, "There is no uploaded file to preview; upload one.")
        return redirect("exchange:import")
    context = {"pending": pending}
    try:
        result = _run(pending, dry_run=True)
    except ExchangeError as exc:
        pending["preview"] = None
        context.update(problems=_problem_lines(exc, pending), problems_total=exc.total)
    except DatabaseError as exc:
        pending["preview"] = None
        context["database_error"] = str(exc)
    else:
        pending["preview"] = _signature(result)
        pending["delete_count"] = result.deleted
        pending["deletions"] = deletion_lines(result.deletions)
        context["summary"] = _summary(result, pending["name"])
        # No delete count here: a replace asks for it on a second page.
        context["form"] = ConfirmForm(
            initial={"token": pending["token"], "sha256": pending["sha256"]}
        )
    request.session.modified = True
    return _render(request, "exchange/import_preview.html", "Preview of the import", **context)


@require_POST
def confirm_view(request):
    """Import exactly the previewed file, if the database still gives the previewed result."""
    _check_permission(request)
    pending = request.session.get(PENDING)
    form = ConfirmForm(request.POST)
    if (
        not form.is_valid()
        or not pending
        or not pending["preview"]
        or form.cleaned_data["token"] != pending["token"]
        or form.cleaned_data["sha256"] != pending["sha256"]
        or not stored_path(pending).is_file()
    ):
        messages.error(
            request,
            "This preview is no longer the current one (it was imported, or another file was "
            "uploaded since); nothing was imported. Upload the file again.",
        )
        return redirect("exchange:import")
    if pending["mode"] == "replace":
        if not may_replace(request.user):
            raise PermissionDenied
        # The second confirmation names the count; with nothing to delete there is none.
        if pending["delete_count"] and form.cleaned_data["delete_count"] != pending["delete_count"]:
            return _render(
                request,
                "exchange/import_replace.html",
                "Replace the file's scope?",
                pending=pending,
                form=ConfirmForm(
                    initial={**form.cleaned_data, "delete_count": pending["delete_count"]}
                ),
            )
    return _apply(request, pending)


def _apply(request, pending):
    changed = False
    try:
        with transaction.atomic():
            # Other imports wait from here on, and the checks' reads are in this transaction:
            # on SQLite a transaction that has read could not take the write lock later.
            lock_for_writing()
            # The bytes imported are the bytes previewed: checked inside the transaction.
            if checksum(stored_path(pending)) != pending["sha256"]:
                discard(request.session)
                messages.error(
                    request,
                    "The uploaded file changed since the preview; nothing was imported. "
                    "Upload it again.",
                )
                return redirect("exchange:import")
            result = _run(pending, dry_run=False)
            if _signature(result) != pending["preview"]:
                transaction.set_rollback(True)
                changed = True
    except ExchangeError:
        # The file no longer fits the database: the fresh preview shows why.
        changed = True
    except DatabaseError as exc:
        messages.error(request, f"The database refused the import ({exc}); nothing was written.")
        return redirect("exchange:preview")
    if changed:
        messages.error(
            request,
            "The database changed since the preview, so nothing was imported. This is a fresh "
            "preview of the same file: check it, then confirm again.",
        )
        return redirect("exchange:preview")
    discard(request.session)
    request.session[RESULT] = _summary(result, pending["name"])
    return redirect("exchange:result")


def result_view(request):
    """Show what the last import of this session did."""
    _check_permission(request)
    summary = request.session.get(RESULT)
    if summary is None:
        return redirect("exchange:import")
    return _render(request, "exchange/import_result.html", "Import done", summary=summary)
