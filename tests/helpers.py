"""Build small exchange documents from the schema, run the import command, snapshot the data.

What the tests share besides fixtures (tests/conftest.py) and factories (tests/factories.py).
"""

import functools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from io import StringIO

import dj_database_url
import psycopg
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, settings

from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    Ingredient,
    Package,
    PackageFinishedGood,
    Recipe,
    RecipeIngredient,
    Recipient,
)
from exchange.schema import FORMAT, SECTION_BY_KEY, SECTIONS, VERSION
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun

# Every model of the bakery and production apps: what a document holds and a snapshot reads.
MODELS = [
    model for label in ("bakery", "production") for model in apps.get_app_config(label).get_models()
]
# Children before parents, so that no PROTECT reference stops a delete.
DELETE_ORDER = (
    AssemblyRun,
    ProductionRun,
    EventAssemblyTarget,
    EventProductionTarget,
    EventRecipientPackage,
    PackageFinishedGood,
    Composition,
    RecipeIngredient,
    Event,
    Recipient,
    Package,
    FinishedGood,
    FinishedUnit,
    Recipe,
    Ingredient,
)

# The day the tests seed the demo for: Christmas 2025, New Year 2026 and Valentine's Day 2026.
DEMO_TODAY = "2025-12-21"

# The one record of each named section in minimal_document(); none of them is a name the
# factories give, so a file record never collides with one already in the database.
NAMES = {
    "ingredients": "Flour",
    "recipes": "Chocolate Chip Cookies",
    "finished_units": "Chocolate Chip Cookie",
    "finished_goods": "Cookie Gift Box",
    "packages": "Deluxe Cookie Box",
    "recipients": "Alice Johnson",
    "events": "Christmas 2025",
}
RUN_UUIDS = {
    "production_runs": "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11",
    "assembly_runs": "5d2c8a41-7e3b-4f06-b1d9-3a8e6c0f2b77",
}


def _value(section_key, bound):
    """Return a valid document value for a field: a name of NAMES, or its codec's example."""
    if bound.ref:
        return NAMES[bound.ref]
    if bound.key == "name":
        return NAMES[section_key]
    if bound.key == "uuid":
        return RUN_UUIDS[section_key]
    return bound.codec.example()


def minimal_record(section_key: str) -> dict:
    """Return one valid record of a section, every field given, as export would write it."""
    section = SECTION_BY_KEY[section_key]
    record = {f.key: _value(section_key, f) for f in section.fields}
    if section.nested:
        nested = section.nested
        child = {f.key: _value(section_key, f) for f in nested.fields}
        # A component names a finished unit or a good, never both.
        for key in nested.one_of[1:]:
            child[key] = None
        record[nested.key] = [child]
    return record


def minimal_document() -> dict:
    """Return a valid document with one record in every section, each referring to the others."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": "2026-11-29T10:30:00Z",
        "application": "bakery 0.1.0",
        "scope": None,
    }
    for section in SECTIONS:
        document[section.key] = [minimal_record(section.key)]
    return document


def write_document(directory, document, name="bakery.json") -> str:
    """Write a document (a dict, or text as it is) into a directory and return its path."""
    path = directory / name
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return str(path)


@dataclass
class Outcome:
    """What one run of import_bakery did."""

    returncode: int
    stdout: str
    stderr: str
    message: str

    @property
    def lines(self) -> list[str]:
        """Return the lines the command wrote to stderr."""
        return self.stderr.splitlines()


def run_import(path: str, *args, **options) -> Outcome:
    """Run import_bakery on a path and return its exit status and output."""
    stdout, stderr = StringIO(), StringIO()
    try:
        call_command("import_bakery", path, *args, stdout=stdout, stderr=stderr, **options)
    except CommandError as exc:
        return Outcome(exc.returncode, stdout.getvalue(), stderr.getvalue(), str(exc))
    return Outcome(0, stdout.getvalue(), stderr.getvalue(), "")


def _comparable(row, field):
    """Return a field's value, or the natural key of the row a reference points to."""
    if field.is_relation:
        related = getattr(row, field.name)
        return None if related is None else related.natural_key()
    return getattr(row, field.attname)


def snapshot(*, ids: bool = True) -> dict[str, list[tuple]]:
    """Return every row of the bakery and production models, by model label.

    With ids (the default) a row is its stored values, primary and foreign keys included, and
    rows come in primary key order: equal snapshots mean nothing was written.

    With ids=False a row is its (field, value) pairs without the primary key, a reference as
    the natural key of the row it points to, and rows come sorted: equal snapshots mean the
    same content whatever ids the rows got, as after emptying the database and loading it again.
    """
    if ids:
        return {
            model._meta.label: list(model._default_manager.order_by("pk").values_list())
            for model in MODELS
        }
    rows = {}
    for model in MODELS:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        relations = [f.name for f in fields if f.is_relation]
        rows[model._meta.label] = sorted(
            (
                tuple((f.name, _comparable(row, f)) for f in fields)
                for row in model._default_manager.select_related(*relations)
            ),
            key=repr,
        )
    return rows


def row_count() -> int:
    """Return the number of rows of every bakery and production model."""
    return sum(model._default_manager.count() for model in MODELS)


def empty_database():
    """Delete every bakery and production row with the ORM, children first."""
    for model in DELETE_ORDER:
        model._default_manager.all().delete()
    assert row_count() == 0


def export_text(*args) -> str:
    """Run export_bakery to standard output and return the document's text."""
    out = StringIO()
    call_command("export_bakery", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_document(*args) -> dict:
    """Run export_bakery to standard output and return the document."""
    return json.loads(export_text(*args))


def import_file(path, *args) -> tuple[str, str]:
    """Run import_bakery and return what it wrote to stdout and stderr; it raises if refused."""
    out, err = StringIO(), StringIO()
    call_command("import_bakery", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def without_exported_at(document: dict) -> dict:
    """Return the document without its export time, to compare two exports."""
    return {key: value for key, value in document.items() if key != "exported_at"}


def document_records(document: dict) -> int:
    """Count the records of a document, nested ones included."""
    total = 0
    for section in SECTIONS:
        for record in document[section.key]:
            total += 1 + (len(record[section.nested.key]) if section.nested else 0)
    return total


def database_examples(name: str, max_examples: int) -> settings:
    """Register and return Hypothesis settings for examples that use the test database.

    The database fixture is set up once per test; each example rolls its savepoint back.
    """
    settings.register_profile(
        name,
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        print_blob=True,
    )
    return settings.get_profile(name)


class Rollback(Exception):
    """Raised to undo a block's changes: `with pytest.raises(Rollback), transaction.atomic():`."""


def unavailable(reason: str):
    """Skip a test whose service this machine lacks, saying why; under CI=true fail it."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every service must be there)")
    pytest.skip(reason)


# The server of the tests that make PostgreSQL databases of their own, whatever database the
# suite runs on: DATABASE_URL's when it is PostgreSQL, else this one.
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    password: str

    def url(self, name: str) -> str:
        """Return the URL of a database of this server."""
        password = f":{self.password}" if self.password else ""
        return f"postgres://{self.user}{password}@{self.host}:{self.port}/{name}"

    def connect(self, name: str = "postgres", **options) -> psycopg.Connection:
        return psycopg.connect(self.url(name), **options)


@functools.cache
def _postgres(url: str) -> PostgresServer | str:
    parsed = dj_database_url.parse(url)
    server = PostgresServer(
        parsed["HOST"] or "127.0.0.1",
        int(parsed["PORT"] or 5432),
        parsed["USER"] or "postgres",
        parsed["PASSWORD"] or "",
    )
    try:
        server.connect(connect_timeout=10).close()
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        return f"no PostgreSQL server answers at {server.host}:{server.port} ({reason})"
    return server


def postgres_server() -> PostgresServer:
    """Return the PostgreSQL server for tests that make databases of their own; skip the test
    (fail it under CI=true) when none answers."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = LOCAL_POSTGRES
    server = _postgres(url)
    if isinstance(server, str):
        unavailable(server)
    return server


def wait_until_stopped(process: subprocess.Popen, output, timeout: float = 600):
    """Wait until a process stops itself at its fail point (exchange.failpoints); fail the
    test, with output(), if it ends instead.

    The timeout only bounds a hang: the wait is for the process's own stop, not the clock.
    """
    deadline = time.monotonic() + timeout
    while True:
        pid, status = os.waitpid(process.pid, os.WUNTRACED | os.WNOHANG)
        if pid and os.WIFSTOPPED(status):
            return
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            ended = f"the process ended ({process.returncode}) before its fail point"
            pytest.fail(f"{ended}: {output()}")
        assert time.monotonic() < deadline, "the process neither stopped nor ended"
        time.sleep(0.01)


def table(out: str) -> dict:
    """Read import_bakery's summary table: section -> (created, updated, unchanged, skipped)."""
    rows = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) == 5 and words[1].isdigit():
            rows[words[0]] = tuple(int(w) for w in words[1:])
    return rows


def manage(env: dict, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run manage.py in the project root in a subprocess; return the completed process."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=check,
        timeout=120,
    )


def sqlite_env(path) -> dict:
    """Return this process's environment with DATABASE_URL set to an SQLite file."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
