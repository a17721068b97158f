"""The admin's "Import bakery data" page: upload, preview (a dry run), confirm, result.

The preview and the import are the one importer's dry run and real run of the same stored
bytes. The import runs inside a transaction of its own and is kept only if its result is the
preview's: otherwise the database changed in between, and the user gets a fresh preview.
"""

import contextlib
import datetime
import hashlib
import json
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import DatabaseError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .admin import exported_models
from .errors import ExchangeError
from .forms import ConfirmForm, ImportForm, upload_suffix
from .importer import import_document
from .schema import SECTION_BY_KEY
from .streams import Source
from .writer import lock_for_writing

DEFAULT_MAX_UPLOAD_SIZE = 100 * 1024**2
PENDING = "bakery_import"
RESULT = "bakery_import_result"
# Uploads left behind (a preview never confirmed) are removed after a day.
KEEP_UPLOADS = datetime.timedelta(days=1)
CHUNK = 1024 * 1024


def _has_every(user, actions) -> bool:
    return all(
        user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
        for model in exported_models()
        for action in actions
    )


def may_import(user) -> bool:
    """Whether a user may add and change every model a document can hold."""
    return _has_every(user, ("add", "change"))


def may_replace(user) -> bool:
    """Whether a user may also delete every such model, as a replace does."""
    return _has_every(user, ("add", "change", "delete"))


def max_upload_size() -> int:
    return getattr(settings, "BAKERY_IMPORT_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE)


class LimitedUploadHandler(FileUploadHandler):
    """Stop an upload at the size limit instead of storing all of it first."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            # The rest of the request is read and dropped, so the browser gets the page.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_directory() -> Path:
    """Return the directory of uploads awaiting confirmation, readable by this user only."""
    base = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or tempfile.gettempdir())
    directory = base / f"bakery-import-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700)
    info = directory.lstat()
    # In a shared temporary directory someone else could have made it first.
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or stat.S_IMODE(info.st_mode) & 0o077
    ):
        raise ImproperlyConfigured(f"{directory} must be a directory only this user may use")
    return directory


def _stored_path(pending: dict) -> Path:
    return upload_directory() / f"{pending['token']}{pending['suffix']}"


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _remove_stale_uploads(directory: Path):
    limit = time.time() - KEEP_UPLOADS.total_seconds()
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def _discard(request):
    """Forget the session's pending upload and delete its file."""
    pending = request.session.pop(PENDING, None)
    if pending:
        _stored_path(pending).unlink(missing_ok=True)


def _store(request, upload, mode: str):
    """Keep an upload under a random token (its suffix tells how it is compressed)."""
    _discard(request)
    directory = upload_directory()
    _remove_stale_uploads(directory)
    token = secrets.token_urlsafe(24)
    suffix = upload_suffix(upload.name)
    digest = hashlib.sha256()
    fd = os.open(directory / f"{token}{suffix}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "wb") as file:
        for chunk in upload.chunks(CHUNK):
            digest.update(chunk)
            file.write(chunk)
    request.session[PENDING] = {
        "token": token,
        "suffix": suffix,
        "name": upload.name,
        "size": upload.size,
        "sha256": digest.hexdigest(),
        "mode": mode,
        # Set by the preview: the signature of its result and, for replace, what it deletes.
        "preview": None,
        "delete_count": None,
    }


def _run(pending: dict, dry_run: bool):
    source = Source(str(_stored_path(pending)))
    try:
        return import_document(source, mode=pending["mode"], dry_run=dry_run)
    finally:
        source.close()


def _problem_lines(exc: ExchangeError, pending: dict) -> list[str]:
    """Return the problems as the command prints them, naming the file as the user knows it."""
    path = str(_stored_path(pending))
    return [line.replace(path, pending["name"]) for line in str(exc).splitlines()]


def _signature(result) -> str:
    """Return a digest of everything an import does: counts, changes and deletions."""
    content = {
        "mode": result.mode,
        "sections": {
            key: [r.created, r.updated, r.unchanged, r.skipped]
            for key, r in result.sections.items()
        },
        "deleted": result.deleted,
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
            "counts": [r.created, r.updated, r.unchanged, r.skipped],
        }
        for key, r in result.sections.items()
        if r.total
    ]
    return {
        "name": name,
        "mode": result.mode,
        "sections": sections,
        "totals": [sum(s["counts"][i] for s in sections) for i in range(4)],
        "deleted": result.deleted,
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
            _store(request, form.cleaned_data["file"], form.cleaned_data["mode"])
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
    if not pending or not _stored_path(pending).is_file():
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
        or not _stored_path(pending).is_file()
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
                "Replace every bakery record?",
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
            if _checksum(_stored_path(pending)) != pending["sha256"]:
                _discard(request)
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
    _discard(request)
    request.session[RESULT] = _summary(result, pending["name"])
    return redirect("exchange:result")


def result_view(request):
    """Show what the last import of this session did."""
    _check_permission(request)
    summary = request.session.get(RESULT)
    if summary is None:
        return redirect("exchange:import")
    return _render(request, "exchange/import_result.html", "Import done", summary=summary)
