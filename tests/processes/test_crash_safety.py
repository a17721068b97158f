"""SIGKILL an import at any moment: the database is exactly as before. SIGKILL an export while
it writes: the file it replaces keeps its bytes and nothing partial takes its name.

Each test runs its own processes against databases it makes: a temporary SQLite file, and a
PostgreSQL database it creates and drops, whatever database the suite itself runs on.
"""

import gzip
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from exchange.failpoints import ENVIRONMENT
from tests.helpers import postgres_server, wait_until_stopped

pytestmark = pytest.mark.slow

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
RUNS = 10_000
# Where each import is killed: a fail point the process stops at, and whether the import has
# written to the database by then.
IMPORT_STOPS = [
    ("import.read@5000", False),
    ("import.check", False),
    ("import.write.recipes@0", True),
    ("import.write.production_runs@700", True),
    ("import.commit", True),
]


def manage(url: str, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        capture_output=True,
        env={**os.environ, "DATABASE_URL": url},
        cwd=settings.BASE_DIR,
        timeout=timeout,
    )


def check(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    return result.stderr.decode()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A directory for this module's databases and documents."""
    return tmp_path_factory.mktemp("crash")


@pytest.fixture(scope="module")
def document(workdir) -> Path:
    """A large exchange document: a generated bakery of 10,000 production runs, exported."""
    source = f"sqlite:///{workdir / 'source.sqlite3'}"
    path = workdir / "bakery.json"
    check(manage(source, "migrate", "--noinput"))
    check(manage(source, "generate_bakery", "--runs", str(RUNS)))
    check(manage(source, "export_bakery", "--output", str(path)))
    return path


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


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A migrated database of either vendor holding the demo bakery."""
    if request.param == "sqlite":
        target = SQLiteDatabase(tmp_path / "target.sqlite3")
    else:
        target = PostgresDatabase(f"bakery_hostile_crash_{os.getpid()}")
    try:
        check(manage(target.url, "migrate", "--noinput"))
        check(manage(target.url, "seed_demo"))
        yield target
    finally:
        target.drop()


def start_import(database, document, *args, env=None) -> subprocess.Popen:
    """Start import_bakery; its stderr goes to a file, read back by stderr_of()."""
    log = document.parent / f"import-{time.monotonic_ns()}.log"
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "import_bakery", str(document), *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "DATABASE_URL": database.url, **(env or {})},
            cwd=settings.BASE_DIR,
        )
    process.log = log
    return process


def stderr_of(process) -> str:
    return process.log.read_text(encoding="utf-8", errors="replace")


def kill_at(database, document, mode: str, failpoint: str) -> bool:
    """Run an import until it stops at a fail point, SIGKILL it there; return whether it had
    written to the database."""
    process = start_import(database, document, "--mode", mode, env={ENVIRONMENT: failpoint})
    wait_until_stopped(process, lambda: stderr_of(process))
    writing = database.writing()
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL, (mode, failpoint, stderr_of(process))
    database.settle()
    return writing


def test_import_killed_at_any_moment_leaves_the_database_exactly_as_before(database, document):
    before = database.fingerprint()

    for mode in ("merge", "replace"):
        for failpoint, writes in IMPORT_STOPS:
            writing = kill_at(database, document, mode, failpoint)
            assert writing == writes, (mode, failpoint)
            assert database.fingerprint() == before, (mode, failpoint)

    # Not killed, the same import lands: the kills stopped work that would have changed it.
    check(manage(database.url, "import_bakery", str(document), "--mode", "replace"))
    assert database.fingerprint() != before


def hidden_temporary_files(directory: Path, target: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(f".{target}."))


def start_export(url: str, output: Path, failpoint: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, MANAGE, "export_bakery", "--output", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": url, ENVIRONMENT: failpoint},
        cwd=settings.BASE_DIR,
    )


@pytest.mark.parametrize(
    ("name", "failpoint"),
    [
        ("existing.json", "export.write.ingredients@0"),
        ("existing.json", "export.write.production_runs@2000"),
        ("existing.json", "export.write.production_runs@5000"),
        ("existing.json", "export.rename"),
        ("existing.json.gz", "export.write.production_runs@5000"),
    ],
    ids=["first-records", "some-runs", "half", "before-rename", "gzip"],
)
def test_export_killed_while_writing_leaves_the_existing_file_untouched(
    workdir, document, tmp_path, name, failpoint
):
    url = f"sqlite:///{workdir / 'source.sqlite3'}"
    target = tmp_path / name
    old = b'{"format": "bakery-exchange", "the old backup": true}\n' * 1000
    target.write_bytes(old)

    process = start_export(url, target, failpoint)
    wait_until_stopped(process, lambda: process.stderr.read().decode())
    temporary = [tmp_path / n for n in hidden_temporary_files(tmp_path, name)]
    assert len(temporary) == 1 and temporary[0].name.endswith(".tmp")
    assert temporary[0].stat().st_size > 0
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    process.stderr.close()

    assert target.read_bytes() == old
    # What is left is the killed export's hidden temporary file, never a file at the target.
    assert sorted(p.name for p in tmp_path.iterdir()) == [temporary[0].name, name]

    # The next export to the same path removes it and writes the whole document.
    check(manage(url, "export_bakery", "--output", str(target)))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    text = target.read_bytes()
    if name.endswith(".gz"):
        text = gzip.decompress(text)
    exported = json.loads(text)
    assert len(exported["production_runs"]) == RUNS
