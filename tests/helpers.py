"""Build small exchange documents from the schema, run the import command, snapshot the data."""

import json
from dataclasses import dataclass
from io import StringIO

from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from hypothesis import HealthCheck, settings

from exchange.schema import FORMAT, SECTION_BY_KEY, SECTIONS, VERSION

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
    """Return a valid document value for a field, from the kind of model field it holds."""
    f = bound.model_field
    if bound.ref:
        return NAMES[bound.ref]
    if bound.key == "name":
        return NAMES[section_key]
    if bound.key == "uuid":
        return RUN_UUIDS[section_key]
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField):
        return "2.5000"
    if isinstance(f, models.IntegerField):
        return 2
    if isinstance(f, models.DateTimeField):
        return "2025-12-15T10:00:00Z"
    if isinstance(f, models.DateField):
        return "2025-12-24"
    return f"Some {bound.key.replace('_', ' ')}"


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


def snapshot() -> dict[str, list[tuple]]:
    """Return every row of every bakery and production model, as tuples in primary key order."""
    rows = {}
    for label in ("bakery", "production"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list())
    return rows


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
