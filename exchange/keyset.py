"""A set of natural keys that spills to disk, for finding duplicates among millions of runs.

A Python set of a million uuids takes over 100 MB, and an import must stay flat in memory
however large its file: past a threshold the keys move into a temporary SQLite table (the
standard library's sqlite3, apart from the project's database), written in sorted batches.
"""

import sqlite3
import tempfile

BATCH_SIZE = 2000
# Keys kept in a dict before spilling: about 15 MB.
MEMORY_LIMIT = 100_000


class KeySet:
    """Remember keys with the place each was first seen; collect the ones seen again."""

    def __init__(self, directory: str | None = None, memory_limit: int = MEMORY_LIMIT):
        self.directory = directory
        self.memory_limit = memory_limit
        self._memory: dict[bytes, int] | None = {}
        self._db = None
        self._file = None
        self._pending: list[tuple[bytes, int]] = []
        # (place, first place, key) of each key seen again.
        self.duplicates: list[tuple[int, int, bytes]] = []

    def add(self, key: bytes, place: int):
        """Add a key seen at a place; call flush() before reading duplicates."""
        if self._memory is not None:
            first = self._memory.setdefault(key, place)
            if first != place:
                self.duplicates.append((place, first, key))
            elif len(self._memory) > self.memory_limit:
                self._spill()
            return
        self._pending.append((key, place))
        if len(self._pending) >= BATCH_SIZE:
            self.flush()

    def _spill(self):
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by close()
            dir=self.directory, prefix="keys-", suffix=".sqlite3"
        )
        self._db = sqlite3.connect(self._file.name)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        # 32 MB of page cache keeps a million keys' index mostly in memory.
        self._db.execute("PRAGMA cache_size = -32768")
        self._db.execute(
            "CREATE TABLE seen (key BLOB PRIMARY KEY, place INTEGER NOT NULL) WITHOUT ROWID"
        )
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", sorted(self._memory.items()))
        self._memory = None

    def flush(self):
        """Store the pending keys, noting (place, first place) for each one seen before."""
        if not self._pending:
            return
        pending, self._pending = sorted(self._pending), []
        before = self._db.total_changes
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", pending)
        if self._db.total_changes - before == len(pending):
            return
        for key, place in pending:
            (first,) = self._db.execute("SELECT place FROM seen WHERE key = ?", (key,)).fetchone()
            if first != place:
                self.duplicates.append((place, first, key))

    def __contains__(self, key: bytes) -> bool:
        if self._memory is not None:
            return key in self._memory
        self.flush()
        return self._db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone() is not None

    def close(self):
        if self._db is not None:
            self._db.close()
            self._file.close()
