"""Where the admin import keeps an upload between its preview and its confirmation.

Each upload is stored under a random token in a directory only this user may use, with its
checksum in the session, so that the bytes imported are the bytes previewed.
"""

import contextlib
import datetime
import hashlib
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .forms import upload_suffix

DEFAULT_MAX_UPLOAD_SIZE = 100 * 1024**2
# The session's key of the upload awaiting confirmation.
PENDING = "bakery_import"
# Uploads left behind (a preview never confirmed) are removed after a day.
KEEP_UPLOADS = datetime.timedelta(days=1)
CHUNK = 1024 * 1024


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


def stored_path(pending: dict) -> Path:
    return upload_directory() / f"{pending['token']}{pending['suffix']}"


def checksum(path: Path) -> str:
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


def discard(session):
    """Forget the session's pending upload and delete its file."""
    pending = session.pop(PENDING, None)
    if pending:
        stored_path(pending).unlink(missing_ok=True)


def store(session, upload, mode: str):
    """Keep an upload under a random token (its suffix tells how it is compressed)."""
    discard(session)
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
    session[PENDING] = {
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
