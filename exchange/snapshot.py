"""Read every section of an export from one consistent snapshot of the database."""

import contextlib
import contextvars

from django.db import connection, transaction

# Whether the code running is inside a snapshot already (the command's, around the export's).
_in_snapshot = contextvars.ContextVar("in_snapshot", default=False)


@contextlib.contextmanager
def snapshot():
    """Read every section from one consistent snapshot of the database.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction; SQLite: one read transaction. Inside
    a caller's transaction its isolation applies, in a savepoint, so that a refused query
    leaves that transaction usable. Inside a snapshot, another one is the same.
    """
    if _in_snapshot.get():
        yield
        return
    token = _in_snapshot.set(True)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        _in_snapshot.reset(token)
