"""SIGKILL an import at any moment: the database is exactly as before. SIGKILL an export while
it writes: the file it replaces keeps its bytes and nothing partial takes its name.

Each test runs its own processes against databases it makes: a temporary SQLite file, and a
PostgreSQL database it creates and drops, whatever database the suite itself runs on.
"""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from exchange.failpoints import ENVIRONMENT
from tests.helpers import wait_until_stopped
from tests.processes.databases import MANAGE, check, manage

pytestmark = pytest.mark.slow

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
    process = start_import(
        database, document, "--mode", mode, "--noinput", env={ENVIRONMENT: failpoint}
    )
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
    check(manage(database.url, "import_bakery", str(document), "--mode", "replace", "--noinput"))
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
