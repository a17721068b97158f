"""Databases of either vendor for tests that run the commands as processes of their own.

Each is made for the test, whatever database the suite itself runs on: a temporary SQLite file,
or a PostgreSQL database created and dropped on the local server.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from django.conf import settings

from tests.helpers import postgres_server

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def manage(url: str, *args, timeout=300, env=None, **run) -> subprocess.CompletedProcess:
    """Run manage.py with the database at url; env adds variables, run goes to subprocess.run."""
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        capture_output=True,
        env={**os.environ, "DATABASE_URL": url, **(env or {})},
        cwd=settings.BASE_DIR,
        timeout=timeout,
        **run,
    )


def check(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    return result.stderr.decode()


class SQLiteDatabase:
    """A temporary SQLite file; the import's write pass begins when its journal appears."""

    vendor = "sqlite"

    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def fingerprint(self) -> str:
        """Hash the whole database as SQL text; opening it rolls back a killed transaction."""
        with sqlite3.connect(self.path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            digest = hashlib.sha256()
            for line in connection.iterdump():
                digest.update(line.encode() + b"\n")
        connection.close()
        return digest.hexdigest()

    def writing(self) -> bool:
        return Path(f"{self.path}-journal").exists()

    def settle(self):
        pass

    def drop(self):
        self.path.unlink(missing_ok=True)


class PostgresDatabase:
    """A PostgreSQL database made for the test; the import writes once it has a transaction id."""

    vendor = "postgresql"

    def __init__(self, name: str):
        self.name = name
        server = postgres_server()
        self.admin = server.connect(autocommit=True)
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.url = server.url(name)

    def fingerprint(self) -> str:
        """Hash every row of every table, table by table, in a stable order."""
        with psycopg.connect(self.url) as connection:
            tables = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
            digest = hashlib.sha256()
            for (table,) in tables:
                count, rows = connection.execute(
                    f"SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) "
                    f'FROM "{table}" t'
                ).fetchone()
                digest.update(f"{table} {count} {rows}\n".encode())
        return digest.hexdigest()

    def writing(self) -> bool:
        return bool(
            self.admin.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = %s AND backend_xid IS NOT NULL",
                [self.name],
            ).fetchone()[0]
        )

    def settle(self):
        """Wait for the server to end the session of a killed client (it rolls back)."""
        deadline = time.monotonic() + 120
        while self._sessions():
            assert time.monotonic() < deadline
            time.sleep(0.01)

    def _sessions(self) -> int:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        return self.admin.execute(query, [self.name]).fetchone()[0]

    def drop(self):
        self.admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.close()
