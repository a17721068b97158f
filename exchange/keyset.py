"""A set of natural keys that spills to disk, for finding duplicates among millions of runs.

A Python set of a million uuids takes over 100 MB, and an import must stay flat in memory
however large its file: past a threshold the keys move into a temporary SQLite table (the
standard library's sqlite3, apart from the project's database). They are appended there as
they come, in file order, and indexed once, when the duplicates are asked for: one sort of
all the keys, instead of a random place in a growing B-tree for each key, which costs more
per key as the tree outgrows the page cache.
"""

import sqlite3
import tempfile

BATCH_SIZE = 2000
# Keys kept in a dict before spilling: about 15 MB.
MEMORY_LIMIT = 100_000


class KeySet:
    """Remember keys with the place each was first seen; collect the ones seen again."""

    def __init__(self, directory: str | None = None, memory_limit: int | None = None):
        self.directory = directory
        self.memory_limit = MEMORY_LIMIT if memory_limit is None else memory_limit
        self._memory: dict[bytes, int] | None = {}
        self._db = None
        self._file = None
        self._pending: list[tuple[bytes, int]] = []
        # The last row of the table whose duplicates were collected.
        self._checked = 0
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
            self._store()

    def _spill(self):
        self._file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by close()
            dir=self.directory, prefix="keys-", suffix=".sqlite3"
        )
        self._db = sqlite3.connect(self._file.name)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        # Rows in the order the keys came (rowid), so a key's first row is its first place.
        self._db.execute("CREATE TABLE seen (key BLOB NOT NULL, place INTEGER NOT NULL)")
        # The keys in memory have no duplicates among them: those were collected already.
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", self._memory.items())
        self._checked = len(self._memory)
        self._memory = None

    def _store(self):
        self._db.executemany("INSERT INTO seen VALUES (?, ?)", self._pending)
        self._pending = []

    def flush(self):
        """Store the pending keys, noting (place, first place) for each one seen before."""
        if self._db is None:
            return
        if self._pending:
            self._store()
        (last,) = self._db.execute("SELECT coalesce(max(rowid), 0) FROM seen").fetchone()
        if last == self._checked:
            return
        self._db.execute("CREATE INDEX IF NOT EXISTS seen_key ON seen (key)")
        repeated = self._db.execute(
            "SELECT key, place, rowid FROM seen "
            "WHERE key IN (SELECT key FROM seen GROUP BY key HAVING count(*) > 1) "
            "ORDER BY key, rowid"
        )
        first_key, first_place = None, None
        for key, place, row in repeated:
            if key != first_key:
                first_key, first_place = key, place
            elif row > self._checked:
                self.duplicates.append((place, first_place, key))
        self._checked = last

    def __contains__(self, key: bytes) -> bool:
        if self._memory is not None:
            return key in self._memory
        self.flush()
        return self._db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone() is not None

    def close(self):
        if self._db is not None:
            self._db.close()
            self._file.close()
