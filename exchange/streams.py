"""Read and write the bytes of a document: plain, compressed, standard streams, atomically."""

import bz2
import contextlib
import errno
import glob
import gzip
import io
import lzma
import os
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

try:
    import fcntl
except ImportError:  # Windows: no lock, so no way to tell an abandoned file from a live one
    fcntl = None

from . import failpoints
from .errors import ExchangeError, problem
from .interrupts import FinalStep

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zip")
STDIN_CLOSED = "standard input is closed: give the document's path, or pipe it into '-'"
STDIN_TERMINAL = (
    "standard input is a terminal: give the document's path, or pipe it into '-' "
    "(import_bakery - < bakery.json)"
)
BOM = b"\xef\xbb\xbf"
DEFAULT_MAX_SIZE = 4 * 1024**3
COPY_CHUNK = 1024**2
# What a full disk says: no space on the device, or none left in the user's quota.
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


@contextlib.contextmanager
def temporary_space():
    """Refuse an import cleanly when its temporary directory fills up.

    Only the temporary files are written outside the database (whose own full disk is a
    DatabaseError); what was written of them is removed as the exception unwinds.
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in NO_SPACE:
            raise
        raise ExchangeError(
            [problem("", "no_space", directory=tempfile.gettempdir())], in_document=False
        ) from None


class SizeLimitExceeded(Exception):
    """The decompressed document grew past the size limit."""


class CountingReader(io.RawIOBase):
    """Read a binary stream, count what was read, refuse past a limit, drop a leading BOM.

    With slow_from set, reads one byte at a time from that offset on, so that a parser's
    error can be placed at the exact byte; it also counts lines and columns as it goes.
    inspect, if given, is called with every piece read, and with b"" at the end.
    """

    def __init__(self, raw, limit: int | None = None, slow_from: int | None = None, inspect=None):
        self.raw = raw
        self.limit = limit
        self.slow_from = slow_from
        self.inspect = inspect
        self.offset = 0
        self.line = 1
        self.column_chars = 0
        # The last bytes read, in slow mode: where a broken UTF-8 sequence began.
        self.tail = b""
        self._started = False
        self._pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        size = len(buffer)
        if not size:
            # A parser probes the stream with read(0); in slow mode that must not take a byte.
            return 0
        if not self._started:
            self._started = True
            head = self.raw.read(len(BOM))
            self._pending = b"" if head == BOM else head
        if self.slow_from is not None:
            size = 1 if self.offset >= self.slow_from else min(size, self.slow_from - self.offset)
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
        else:
            data = self.raw.read(size)
        n = len(data)
        self.offset += n
        if self.limit is not None and self.offset > self.limit:
            raise SizeLimitExceeded
        if self.slow_from is not None:
            self._count_position(data)
        if self.inspect is not None:
            self.inspect(data)
        buffer[:n] = data
        return n

    def _count_position(self, data: bytes):
        self.tail = (self.tail + data[-4:])[-4:]
        newline = data.rfind(b"\n")
        if newline >= 0:
            self.line += data.count(b"\n")
            data = data[newline + 1 :]
            self.column_chars = 0
        # A character starts at every byte that is not a UTF-8 continuation byte.
        self.column_chars += sum(1 for b in data if b & 0xC0 != 0x80)


class Source:
    """A document to read: a path, or '-' for standard input, maybe compressed."""

    def __init__(self, path: str, max_size: int = DEFAULT_MAX_SIZE, stdin=None):
        self.path = path
        self.max_size = max_size
        self._spool = None
        if path == "-":
            self._spool = self._spool_stdin(sys.stdin if stdin is None else stdin)
        elif not os.path.isfile(path):
            reason = "no such file" if not os.path.exists(path) else "not a file"
            raise ExchangeError([problem("", "unreadable", path=path, reason=reason)], status=2)
        elif not os.access(path, os.R_OK):
            raise ExchangeError(
                [problem("", "unreadable", path=path, reason="permission denied")], status=2
            )

    def _spool_stdin(self, stdin):
        """Keep standard input in a temporary file, never more of it than the size limit.

        It can be read only once, and an error is located by reading again.
        """
        if stdin is None or stdin.closed:
            raise ExchangeError([problem("", "usage", reason=STDIN_CLOSED)], status=2)
        if stdin.isatty():
            raise ExchangeError([problem("", "usage", reason=STDIN_TERMINAL)], status=2)
        raw = getattr(stdin, "buffer", stdin)
        # A leading byte order mark is not counted, as when the document is read.
        limit = self.max_size + len(BOM)
        spool = tempfile.TemporaryFile(prefix="bakery-import-")  # noqa: SIM115
        try:
            with temporary_space():
                copied = 0
                while copied <= limit:
                    chunk = raw.read(min(COPY_CHUNK, limit + 1 - copied))
                    if not chunk:
                        break
                    spool.write(chunk)
                    copied += len(chunk)
                spool.seek(0)
                if copied - (len(BOM) if spool.read(len(BOM)) == BOM else 0) > self.max_size:
                    raise ExchangeError([problem("", "too_large", limit=self.max_size)])
        except BaseException:
            spool.close()
            raise
        return spool

    @staticmethod
    def name_of(path: str) -> str:
        """Name a document's path in a message."""
        return "standard input" if path == "-" else path

    @property
    def name(self) -> str:
        return self.name_of(self.path)

    def close(self):
        if self._spool is not None:
            self._spool.close()

    @contextlib.contextmanager
    def open(self, slow_from: int | None = None, inspect=None):
        """Yield a CountingReader of the document's decompressed bytes."""
        with contextlib.ExitStack() as stack:
            if self._spool is not None:
                self._spool.seek(0)
                raw = self._spool
            else:
                raw = stack.enter_context(self._open_path())
            yield CountingReader(raw, limit=self.max_size, slow_from=slow_from, inspect=inspect)

    def _open_path(self):
        suffix = Path(self.path).suffix.lower()
        if suffix == ".gz":
            return gzip.open(self.path, "rb")
        if suffix == ".bz2":
            return bz2.open(self.path, "rb")
        if suffix == ".xz":
            return lzma.open(self.path, "rb")
        if suffix == ".zip":
            return self._open_zip_member()
        return open(self.path, "rb")  # noqa: SIM115 - closed by the caller's ExitStack

    @contextlib.contextmanager
    def _open_zip_member(self):
        try:
            archive = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            raise ExchangeError(
                [problem("", "unreadable", path=self.path, reason=f"not a valid .zip ({exc})")]
            ) from None
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise ExchangeError([problem("", "zip_members", count=len(members))])
            name = members[0].filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise ExchangeError([problem("", "zip_member_path", name=name)])
            try:
                member = archive.open(members[0])
            except (RuntimeError, NotImplementedError) as exc:
                # Encrypted, or compressed by a method zipfile does not read.
                reason = f"cannot open the .zip member {name!r}: {exc}"
                if members[0].flag_bits & 0x1:
                    reason = f"the .zip member {name!r} is encrypted"
                raise ExchangeError(
                    [problem("", "unreadable", path=self.path, reason=reason)]
                ) from None
            with member:
                yield member


def zip_member_name(path) -> str:
    """Name the document inside a .zip export: bakery.zip and bakery.json.zip hold bakery.json."""
    stem = Path(path).stem
    return stem if stem.lower().endswith(".json") else f"{stem}.json"


def _compressed_writer(path, raw):
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
    if suffix == ".bz2":
        return bz2.BZ2File(raw, "wb")
    if suffix == ".xz":
        return lzma.LZMAFile(raw, "wb")
    if suffix == ".zip":
        archive = zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED)
        member = archive.open(zip_member_name(path), "w", force_zip64=True)
        return _ZipMember(archive, member)
    return None


class _ZipMember(io.RawIOBase):
    """Write one member of a zip archive, closing the archive with it."""

    def __init__(self, archive, member):
        self.archive, self.member = archive, member

    def writable(self):
        return True

    def write(self, data):
        return self.member.write(data)

    def close(self):
        if not self.closed:
            try:
                self.member.close()
            finally:
                try:
                    self.archive.close()
                finally:
                    super().close()


def _claim(path) -> int | None:
    """Open a file and lock it while the descriptor is open; None if another process holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def remove_abandoned(target: Path) -> list[str]:
    """Remove the temporary files that killed exports to target left beside it.

    A running export holds a lock on its temporary file (the kernel drops it when the process
    dies, however it dies): a file nobody holds is abandoned.
    """
    if fcntl is None:
        return []
    removed = []
    directory = target.parent if str(target.parent) else Path(".")
    for path in directory.glob(f".{glob.escape(target.name)}.*.tmp"):
        fd = _claim(path)
        if fd is None:
            continue
        try:
            path.unlink(missing_ok=True)
            removed.append(path.name)
        finally:
            os.close(fd)
    return removed


def _temporary_beside(target: Path, directory: Path) -> tuple[int, str, int | None]:
    """Create the hidden temporary file of an export, locked before it is named as one.

    Return its descriptor, its name, and a second descriptor that holds the lock until the
    file is renamed (the first is closed when the writing is done).
    """
    fd, new_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".new", dir=directory)
    lock = None
    try:
        if fcntl is not None:
            lock = os.dup(fd)
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        tmp_name = new_name.removesuffix(".new") + ".tmp"
        os.rename(new_name, tmp_name)
    except BaseException:
        os.close(fd)
        if lock is not None:
            os.close(lock)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(new_name)
        raise
    return fd, tmp_name, lock


def _sync_directory(directory: Path):
    """Make a rename in a directory durable (where the system allows a directory to be synced)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str, stdout=None):
    """Yield a text stream for a document; a file is written beside its target and renamed.

    A failure at any point leaves an existing file at path untouched and no partial file; an
    export killed outright leaves a hidden temporary file, which the next export to the same
    path removes. A path that is a symbolic link is written through: its target is replaced,
    the link stays.
    """
    if path == "-":
        out = stdout or sys.stdout
        yield out
        out.flush()
        return
    target = Path(os.path.realpath(path) if os.path.islink(path) else path)
    directory = target.parent if str(target.parent) else Path(".")
    remove_abandoned(target)
    fd, tmp_name, lock = _temporary_beside(target, directory)
    rename = FinalStep()
    try:
        with open(fd, "wb") as raw:
            compressed = _compressed_writer(target, raw)
            binary = compressed or raw
            text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n", write_through=False)
            try:
                yield text
                text.detach()
                if compressed is not None:
                    compressed.close()
            except BaseException:
                # Close the layers over the file while it is open: left to the garbage
                # collector, they would write to a closed file. The file is removed anyway.
                with contextlib.suppress(Exception):
                    text.close()
                raise
            raw.flush()
            os.fsync(raw.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        with rename:
            # From here the export is final: Ctrl-C waits for the rename, then changes nothing.
            rename.hold()
            failpoints.reach("export.rename")
            os.replace(tmp_name, target)
            _sync_directory(directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    finally:
        if lock is not None:
            os.close(lock)
