"""Exports and imports while other connections change the same database.

Each test makes its own PostgreSQL databases (bakery_concurrency_<random>_...) or SQLite
files and runs the commands as processes of their own, so that it runs, and proves its
point, whichever database the rest of the suite uses. Every wait is bounded: a deadlock
fails a test instead of hanging it.
"""

import json
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from exchange.failpoints import ENVIRONMENT
from exchange.schema import SECTIONS
from exchange.writer import IMPORT_LOCK_KEY
from tests.helpers import minimal_document, postgres_server, wait_until_stopped, write_document

pytestmark = pytest.mark.slow

ROOT = settings.BASE_DIR
TIMEOUT = 120
# Runs of the generated bakery the export reads: a document of about 2 MB, far more than a
# pipe holds, so an export whose reader pauses stops in its first sections.
GENERATED_RUNS = 3000
# Records of one batch of the concurrent writer: 7 named records, a package assignment,
# 2 targets and 2 runs, all committed (and later deleted) in one transaction.
BATCH_RECORDS = 12
TAG = re.compile(r"~ Concurrent (\d+) ")
# Commits the concurrent writer makes while the export is paused in its first sections.
COMMITS_DURING_EXPORT = 6

# The concurrent writer: adds a batch of records referring to each other in one transaction,
# deletes the batch added two before in another, and prints each commit with its time.
WRITER = """
import os, time
from decimal import Decimal
from django.db import transaction
from bakery.models import (
    Event, FinishedGood, FinishedUnit, Ingredient, Package, Recipe, Recipient,
)
from production.models import AssemblyRun, ProductionRun
from tests.factories import (
    AssemblyRunFactory, EventAssemblyTargetFactory, EventFactory,
    EventProductionTargetFactory, EventRecipientPackageFactory, FinishedGoodFactory,
    FinishedUnitFactory, IngredientFactory, PackageFactory, ProductionRunFactory,
    RecipeFactory, RecipientFactory,
)

def add(n):
    tag = f"~ Concurrent {n} "
    with transaction.atomic():
        ingredient = IngredientFactory(name=tag + "ingredient")
        recipe = RecipeFactory(name=tag + "recipe", ingredients=[(ingredient, Decimal(1))])
        unit = FinishedUnitFactory(name=tag + "unit", recipe=recipe)
        good = FinishedGoodFactory(name=tag + "good", components=[(unit, 2)])
        package = PackageFactory(name=tag + "package", contents=[(good, 1)])
        recipient = RecipientFactory(name=tag + "recipient")
        event = EventFactory(name=tag + "event")
        EventRecipientPackageFactory(event=event, recipient=recipient, package=package)
        EventProductionTargetFactory(event=event, recipe=recipe)
        EventAssemblyTargetFactory(event=event, finished_good=good)
        ProductionRunFactory(event=event, finished_unit=unit)
        AssemblyRunFactory(event=event, finished_good=good)
    print("added", n, time.time(), flush=True)

def delete(n):
    tag = f"~ Concurrent {n} "
    with transaction.atomic():
        ProductionRun.objects.filter(event__name=tag + "event").delete()
        AssemblyRun.objects.filter(event__name=tag + "event").delete()
        for model, kind in (
            (Event, "event"), (Package, "package"), (Recipient, "recipient"),
            (FinishedGood, "good"), (FinishedUnit, "unit"), (Recipe, "recipe"),
            (Ingredient, "ingredient"),
        ):
            model.objects.filter(name=tag + kind).delete()
    print("deleted", n, time.time(), flush=True)

n = 0
while not os.path.exists(os.environ["STOP_FILE"]):
    add(n)
    if n >= 2:
        delete(n - 2)
    n += 1
"""

# An export with its snapshot taken away: each query then reads the database as it is.
EXPORT_WITHOUT_SNAPSHOT = """
import contextlib
import exchange.exporter
import exchange.management.commands.export_bakery as command
from django.core.management import call_command
exchange.exporter.snapshot = command.snapshot = contextlib.nullcontext
call_command("export_bakery")
"""

# An import that waits for the write lock for one second instead of minutes.
IMPORT_WAITING_ONE_SECOND = """
import exchange.writer
from django.core.management import call_command
exchange.writer.WRITE_LOCK_TIMEOUT = 1
call_command("import_bakery", {path!r})
"""


def environment(database_url: str, **extra) -> dict:
    return dict(os.environ, DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)


def manage(database_url: str, *args, check: bool = True, **extra):
    """Run a manage.py command in a process of its own and return it, finished."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(database_url, **extra),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def start(database_url: str, *args, **popen):
    """Start a manage.py command in a process of its own."""
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(database_url, **popen.pop("env", {})),
        **popen,
    )


def finish(process) -> tuple[int, str, str]:
    """Wait for a started command and return its exit status, stdout and stderr."""
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"a command did not finish within {TIMEOUT} s (deadlock?): {err}")
    return process.returncode, out.decode(), err.decode()


class Postgres:
    """This module's PostgreSQL databases: created from templates, all dropped at the end."""

    def __init__(self):
        self.prefix = f"bakery_concurrency_{secrets.token_hex(4)}"
        self.server = postgres_server()
        self.admin = self.server.connect(autocommit=True)
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return self.server.url(name)

    def create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        deadline = time.monotonic() + 10
        while True:
            try:
                self.admin.execute(sql)
                break
            except psycopg.errors.ObjectInUse:
                # The last process that used the template may still be disconnecting.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.created.append(name)
        return name

    def waiting(self, name: str) -> int:
        """Return how many lock requests in a database are waiting."""
        return self.admin.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE d.datname = %s AND NOT l.granted",
            [name],
        ).fetchone()[0]

    def wait_for_waiting(self, name: str, count: int, processes):
        """Wait until count lock requests wait in a database, while the processes run."""
        deadline = time.monotonic() + TIMEOUT
        while self.waiting(name) < count:
            for process in processes:
                if process.poll() is not None:
                    pytest.fail(f"a command ended before waiting: {finish(process)}")
            if time.monotonic() > deadline:
                pytest.fail(f"fewer than {count} lock requests waited in {TIMEOUT} s")
            time.sleep(0.05)

    def drop_all(self):
        for name in reversed(self.created):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="module")
def postgres():
    """Make PostgreSQL databases for this module and drop them all afterwards."""
    server = Postgres()
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="module")
def migrated(postgres):
    """Return an empty migrated PostgreSQL database, the template of the others."""
    name = postgres.create()
    manage(postgres.url(name), "migrate", "--verbosity", "0")
    return name


@pytest.fixture(scope="module")
def generated(postgres, migrated):
    """Return a PostgreSQL database holding a generated bakery, a template too."""
    name = postgres.create(template=migrated)
    manage(postgres.url(name), "generate_bakery", "--runs", str(GENERATED_RUNS), "-v", "0")
    return name


@pytest.fixture(scope="module")
def generated_document(postgres, generated):
    """Return the export of the generated bakery."""
    return json.loads(manage(postgres.url(generated), "export_bakery").stdout)


def without_exported_at(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "exported_at"}


def dangling_references(document: dict) -> list[str]:
    """Return every reference of a document to a record the document does not hold."""
    names = {s.key: {r["name"] for r in document[s.key]} for s in SECTIONS if s.named}
    found = []

    def check(location, fields, record):
        for f in fields:
            value = record[f.key]
            if f.ref and value not in (None, "") and value not in names[f.ref]:
                found.append(f"{location}.{f.key}: {value!r}")

    for section in SECTIONS:
        for index, record in enumerate(document[section.key]):
            location = f"{section.key}[{index}]"
            check(location, section.fields, record)
            if section.nested:
                for j, child in enumerate(record[section.nested.key]):
                    check(f"{location}.{section.nested.key}[{j}]", section.nested.fields, child)
    return found


def concurrent_batches(document: dict) -> Counter:
    """Count the records of each batch of the concurrent writer that a document holds."""
    batches = Counter()
    for section in SECTIONS:
        for record in document[section.key]:
            match = TAG.match(record.get("name") or record.get("event_name") or "")
            if match:
                batches[int(match.group(1))] += 1
    return batches


def top_level_records(document: dict) -> int:
    return sum(len(document[section.key]) for section in SECTIONS)


def summary_totals(stdout: str) -> dict[str, int]:
    """Read the total line of an import's summary table."""
    total = next(line for line in stdout.splitlines() if line.startswith("total "))
    created, updated, unchanged, skipped = map(int, total.split()[1:])
    return {"created": created, "updated": updated, "unchanged": unchanged, "skipped": skipped}


class ConcurrentWriter:
    """The WRITER script running in a process of its own, its commits collected as they come."""

    def __init__(self, database_url: str, directory: Path):
        self.stop_file = directory / "stop-writer"
        self.process = start(
            database_url,
            "shell",
            "--no-imports",
            "-c",
            WRITER,
            env={"STOP_FILE": str(self.stop_file)},
        )
        self.commits: list[tuple[str, int, float]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        # Read every line, so that the writer never blocks on a full pipe.
        for line in self.process.stdout:
            match = re.fullmatch(r"(added|deleted) (\d+) ([\d.]+)", line.decode().strip())
            if match:
                self.commits.append((match[1], int(match[2]), float(match[3])))

    def wait_for_commits(self, count: int, after: float):
        deadline = time.monotonic() + TIMEOUT
        while len(self.commits_between(after, time.time())) < count:
            if self.process.poll() is not None:
                pytest.fail(f"the concurrent writer stopped: {self.process.stderr.read()}")
            if time.monotonic() > deadline:
                pytest.fail("the concurrent writer made too few commits")
            time.sleep(0.02)

    def commits_between(self, start: float, end: float) -> list[tuple[str, int, float]]:
        return [commit for commit in list(self.commits) if start < commit[2] < end]

    def stop(self):
        self.stop_file.touch()
        try:
            self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"the concurrent writer did not stop within {TIMEOUT} s")
        self.reader.join(TIMEOUT)
        assert self.process.returncode == 0, self.process.stderr.read().decode()


def export_while_writing(database_url: str, directory: Path, command: list[str]):
    """Run an export while the concurrent writer commits, pausing it in its first sections.

    The export writes to a pipe this test stops reading after the first bytes: the export
    then blocks once the pipe is full, well before its last sections, while the writer
    commits. Return the export's exit status, the document's text, what it wrote to stderr
    and the writer's commits made meanwhile.
    """
    writer = ConcurrentWriter(database_url, directory)
    try:
        writer.wait_for_commits(3, after=0)
        # Unbuffered, so that the bytes read here are not also kept in a buffer of the pipe.
        export = start(database_url, *command, bufsize=0)
        first = export.stdout.read(1024)
        started = time.time()
        writer.wait_for_commits(COMMITS_DURING_EXPORT, after=started)
        returncode, rest, err = finish(export)
        ended = time.time()
    finally:
        writer.stop()
    return returncode, first.decode() + rest, err, writer.commits_between(started, ended)


def test_export_reads_one_snapshot_while_another_connection_adds_and_deletes(
    postgres, migrated, generated, tmp_path
):
    database = postgres.create(template=generated)
    returncode, text, err, commits = export_while_writing(
        postgres.url(database), tmp_path, ["export_bakery", "--verbosity", "0"]
    )
    assert returncode == 0, err
    document = json.loads(text)

    # The writer added and deleted whole batches while the export ran: read without one
    # snapshot, the export would hold records referring to records it does not hold.
    kinds = Counter(kind for kind, _, _ in commits)
    assert kinds["added"] >= COMMITS_DURING_EXPORT // 2 and kinds["deleted"] >= 1
    assert dangling_references(document) == []
    batches = concurrent_batches(document)
    assert batches and set(batches.values()) == {BATCH_RECORDS}

    empty = postgres.create(template=migrated)
    path = write_document(tmp_path, text)
    imported = manage(postgres.url(empty), "import_bakery", path)
    assert summary_totals(imported.stdout)["created"] == top_level_records(document)
    again = json.loads(manage(postgres.url(empty), "export_bakery").stdout)
    assert without_exported_at(again) == without_exported_at(document)


def test_export_without_its_snapshot_would_refer_to_records_it_does_not_hold_or_stop(
    postgres, migrated, generated, tmp_path
):
    database = postgres.create(template=generated)
    returncode, text, err, commits = export_while_writing(
        postgres.url(database), tmp_path, ["shell", "--no-imports", "-c", EXPORT_WITHOUT_SNAPSHOT]
    )

    assert len(commits) >= COMMITS_DURING_EXPORT
    if returncode != 0:
        # A section's references are named from names read apart from its records: without
        # the snapshot, a record deleted in between leaves a reference without a name.
        assert "that an exported record refers to was deleted during the export" in err
        return
    document = json.loads(text)
    dangling = dangling_references(document)
    assert dangling and all("~ Concurrent " in reference for reference in dangling)
    empty = postgres.create(template=migrated)
    path = write_document(tmp_path, text)
    refused = manage(postgres.url(empty), "import_bakery", path, check=False)
    assert refused.returncode == 1
    assert "in the file or the database" in refused.stderr


def test_an_export_whose_connection_the_server_ends_fails_cleanly_leaving_the_file(
    postgres, generated, tmp_path
):
    database = postgres.create(template=generated)
    url = postgres.url(database)
    target = tmp_path / "bakery.json"
    target.write_text("the previous export\n")

    # The export stops at the runs, waiting for this lock, after writing the sections before
    # them; the server then ends its connection.
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE production_productionrun IN ACCESS EXCLUSIVE MODE")
        export = start(url, "export_bakery", "--output", str(target))
        postgres.wait_for_waiting(database, 1, [export])
        postgres.admin.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
            "JOIN pg_database d ON d.oid = l.database WHERE d.datname = %s AND NOT l.granted",
            [database],
        )
        returncode, _, err = finish(export)

    assert returncode == 1
    assert "Traceback" not in err
    assert err.startswith("CommandError: The database failed during the export (")
    assert err.strip().endswith(f"); {target} was left as it was.")
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bakery.json"]


def overlapping(document: dict) -> tuple[dict, dict]:
    """Split a document in two that both hold the catalog and share a third of the rest."""
    first, second = dict(document), dict(document)
    for section in SECTIONS:
        if not section.catalog:
            records = document[section.key]
            first[section.key] = records[: 2 * len(records) // 3]
            second[section.key] = records[len(records) // 3 :]
    return first, second


def both_landed(imports, document: dict) -> list[dict[str, int]]:
    """Wait for two imports, which must both succeed creating the document's records between
    them; return their summary totals."""
    outcomes = [finish(process) for process in imports]
    for returncode, _, err in outcomes:
        assert returncode == 0, err
        assert "Traceback" not in err
    totals = [summary_totals(out) for _, out, _ in outcomes]
    assert sum(t["created"] for t in totals) == top_level_records(document)
    return totals


def located(lines: list[str]) -> bool:
    return bool(lines) and all(re.match(r"[a-z_]+\[\d+\]\.[a-z_]+: ", line) for line in lines)


def test_two_postgresql_imports_of_overlapping_files_at_once_both_land_once(
    postgres, migrated, generated_document, tmp_path
):
    first, second = overlapping(generated_document)
    paths = [
        write_document(tmp_path, d, name) for d, name in ((first, "a.json"), (second, "b.json"))
    ]
    database = postgres.create(template=migrated)
    url = postgres.url(database)

    # Both imports check their file, then stop at their first write until this connection
    # lets go of the ingredients: they then write at the same time, unless one waits for the
    # other.
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE bakery_ingredient IN EXCLUSIVE MODE")
        imports = [start(url, "import_bakery", path) for path in paths]
        postgres.wait_for_waiting(database, 2, imports)
        holder.commit()
    totals = both_landed(imports, generated_document)
    shared = top_level_records(first) + top_level_records(second)
    shared -= top_level_records(generated_document)
    assert sorted(t["unchanged"] for t in totals) == [0, shared]
    result = json.loads(manage(url, "export_bakery").stdout)
    assert without_exported_at(result) == without_exported_at(generated_document)


def test_an_import_whose_records_a_concurrent_replace_deletes_is_refused_whole(
    postgres, generated, generated_document, tmp_path
):
    # The second file adds runs of a unit that only the database holds; the replace, which
    # writes first, deletes that unit.
    unit = generated_document["finished_units"][0]
    run = generated_document["production_runs"][0] | {
        "finished_unit_name": unit["name"],
        "recipe_name": unit["recipe_name"],
        "event_name": None,
    }
    runs = [run | {"uuid": f"00000000-0000-4000-8000-00000000000{i}"} for i in range(3)]
    header = {k: generated_document[k] for k in ("format", "version", "exported_at")}
    replacement = write_document(tmp_path, minimal_document(), "replacement.json")
    additions = write_document(tmp_path, header | {"production_runs": runs}, "runs.json")
    database = postgres.create(template=generated)
    url = postgres.url(database)

    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE bakery_ingredient IN EXCLUSIVE MODE")
        replace = start(url, "import_bakery", "--mode", "replace", "--noinput", replacement)
        postgres.wait_for_waiting(database, 1, [replace])
        merge = start(url, "import_bakery", additions)
        postgres.wait_for_waiting(database, 2, [replace, merge])
        holder.commit()
    (replaced, _, replace_err), (merged, _, merge_err) = finish(replace), finish(merge)

    assert replaced == 0, replace_err
    assert merged == 1 and "Traceback" not in merge_err
    lines = merge_err.splitlines()
    refusal = lines.pop()
    assert refusal.startswith("CommandError: Import refused: ")
    assert refusal.endswith("nothing was written.")
    assert located(lines)
    assert f"no finished unit named {unit['name']!r} in the file or the database" in merge_err
    result = json.loads(manage(url, "export_bakery").stdout)
    assert without_exported_at(result) == without_exported_at(minimal_document())


def test_a_postgresql_import_waiting_too_long_for_another_is_refused_with_a_message(
    postgres, migrated, tmp_path
):
    path = write_document(tmp_path, minimal_document())
    database = postgres.create(template=migrated)
    url = postgres.url(database)

    with psycopg.connect(url, autocommit=True) as other_import:
        other_import.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        refused = manage(
            url,
            "shell",
            "--no-imports",
            "-c",
            IMPORT_WAITING_ONE_SECOND.format(path=path),
            check=False,
        )

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert refused.stderr.strip() == (
        "CommandError: The database refused the import (another import was still writing to "
        "the database after 1 s of waiting for it); nothing was written."
    )
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT count(*) FROM bakery_ingredient").fetchone() == (0,)


@pytest.fixture(scope="module")
def sqlite_migrated(tmp_path_factory):
    """Return an empty migrated SQLite file, copied by each test."""
    path = tmp_path_factory.mktemp("sqlite") / "migrated.sqlite3"
    manage(f"sqlite:///{path}", "migrate", "--verbosity", "0")
    return path


def sqlite_copy(template: Path, directory: Path) -> tuple[Path, str]:
    path = directory / "bakery.sqlite3"
    path.write_bytes(template.read_bytes())
    return path, f"sqlite:///{path}"


def test_two_sqlite_imports_of_overlapping_files_at_once_both_land_once(
    sqlite_migrated, generated_document, tmp_path
):
    first, second = overlapping(generated_document)
    paths = [
        write_document(tmp_path, d, name) for d, name in ((first, "a.json"), (second, "b.json"))
    ]
    path, url = sqlite_copy(sqlite_migrated, tmp_path)

    # Both imports check their file and stop before they take the write lock; let go
    # together, they write at the same time unless one waits for the other.
    imports = [start(url, "import_bakery", p, env={ENVIRONMENT: "import.lock"}) for p in paths]
    for process in imports:
        wait_until_stopped(process, lambda process=process: process.stderr.read().decode())
    for process in imports:
        process.send_signal(signal.SIGCONT)
    both_landed(imports, generated_document)
    result = json.loads(manage(url, "export_bakery").stdout)
    assert without_exported_at(result) == without_exported_at(generated_document)


def test_a_sqlite_import_waiting_too_long_for_another_is_refused_with_a_message(
    sqlite_migrated, tmp_path
):
    document = write_document(tmp_path, minimal_document())
    path, url = sqlite_copy(sqlite_migrated, tmp_path)

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = manage(
            url,
            "shell",
            "--no-imports",
            "-c",
            IMPORT_WAITING_ONE_SECOND.format(path=document),
            check=False,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "CommandError: The database refused the import (another import was still writing to "
        "the database after 1 s of waiting for it); nothing was written."
    )
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM bakery_ingredient").fetchone() == (0,)


def goods_document(components: dict[str, list[str]]) -> dict:
    """Return a document of finished goods only, each holding the goods named."""
    goods = [
        {
            "name": name,
            "components": [
                {"finished_good_name": part, "quantity": 1, "sort_order": i}
                for i, part in enumerate(parts)
            ],
        }
        for name, parts in components.items()
    ]
    header = {k: minimal_document()[k] for k in ("format", "version", "exported_at")}
    return header | {"finished_goods": goods}


def test_two_updates_at_once_never_store_a_composition_cycle(postgres, migrated, tmp_path):
    database = postgres.create(template=migrated)
    url = postgres.url(database)
    empty_goods = write_document(tmp_path, goods_document({"Tin": [], "Box": []}), "goods.json")
    manage(url, "import_bakery", empty_goods)
    tin_holds_box = write_document(tmp_path, goods_document({"Tin": ["Box"]}), "tin.json")
    box_holds_tin = write_document(tmp_path, goods_document({"Box": ["Tin"]}), "box.json")

    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE bakery_finishedgood IN EXCLUSIVE MODE")
        first = start(url, "import_bakery", "--mode", "update", tin_holds_box)
        postgres.wait_for_waiting(database, 1, [first])
        second = start(url, "import_bakery", "--mode", "update", box_holds_tin)
        postgres.wait_for_waiting(database, 2, [first, second])
        holder.commit()
    (landed, _, first_err), (refused, _, second_err) = finish(first), finish(second)

    assert landed == 0, first_err
    assert refused == 1
    assert "finished_goods[0].components[0].finished_good_name: 'Box' would contain itself: " in (
        second_err
    )
    with psycopg.connect(url) as connection:
        edges = connection.execute(
            "SELECT a.name, g.name FROM bakery_composition c "
            "JOIN bakery_finishedgood a ON a.id = c.assembly_id "
            "JOIN bakery_finishedgood g ON g.id = c.finished_good_id"
        ).fetchall()
    assert edges == [("Tin", "Box")]
