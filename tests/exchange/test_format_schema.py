"""The format's JSON Schema and its documentation agree with exchange/schema.py.

The committed schema is the one the code declares; exported documents are valid under it; bad
documents are not, and the import refuses them too; the schema is never stricter than a
field's codec; docs/exchange-format.md lists every section and field in the document's order.
"""

import copy
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from bakery.models import Event
from bakery.names import CONTROL
from exchange.errors import Invalid
from exchange.format_schema import DIALECT, NAME_PATTERN, document_schema, schema_text
from exchange.schema import HEADER_KEYS, SECTIONS
from tests.helpers import export_document, minimal_document, run_import, write_document

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "bakery-exchange-v1.schema.json"
FORMAT_DOC = ROOT / "docs" / "exchange-format.md"
REGENERATE = "python -m exchange.format_schema > docs/bakery-exchange-v1.schema.json"


def validator(schema=None) -> Draft202012Validator:
    schema = document_schema() if schema is None else schema
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(document) -> list[str]:
    """Return the schema's complaints about a document, each as path: message."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator().iter_errors(document)
    ]


def test_the_committed_schema_is_the_one_the_code_declares():
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == schema_text(), (
        f"{SCHEMA_FILE.relative_to(ROOT)} is stale: regenerate it with `{REGENERATE}`"
    )


def test_the_module_prints_the_schema():
    env = {**os.environ, "DJANGO_SECRET_KEY": "format-schema-test"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    printed = subprocess.run(
        [sys.executable, "-m", "exchange.format_schema"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == schema_text()


def test_the_schema_is_a_valid_draft_2020_12_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == DIALECT
    Draft202012Validator.check_schema(schema)


def test_the_schema_follows_the_sections_and_fields_of_schema_py():
    schema = document_schema()
    assert list(schema["properties"]) == [*HEADER_KEYS, *(s.key for s in SECTIONS)]
    for section in SECTIONS:
        record = schema["properties"][section.key]["items"]
        assert list(record["properties"]) == list(section.keys)
        assert record["required"] == [f.key for f in section.fields if f.required]
        if section.nested:
            item = record["properties"][section.nested.key]["items"]
            assert list(item["properties"]) == [f.key for f in section.nested.fields]


@pytest.mark.parametrize("scoped", [False, True], ids=["everything", "one event"])
def test_exports_of_a_whole_bakery_are_valid(bakery, scoped):
    args = ["--event", Event.objects.order_by("name").first().name] if scoped else []
    document = export_document(*args)
    assert (document["scope"] is not None) == scoped
    assert all(document[s.key] for s in SECTIONS[:4]), "the export holds records"
    assert errors(document) == []


def test_the_minimal_document_is_valid_and_imports(db, tmp_path):
    assert errors(minimal_document()) == []
    assert run_import(write_document(tmp_path, minimal_document()), "--dry-run").returncode == 0


def _set(path, value):
    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _delete(*path):
    def change(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        del target[last]

    return change


BAD = {
    "unknown field": _set(("events", 0, "evnt_name"), "Christmas 2025"),
    "unknown section": _set(("recipe",), []),
    "no format": _delete("format"),
    "another version": _set(("version",), 2),
    "section not a list": _set(("events",), {}),
    "required field missing": _delete("recipes", 0, "yield_quantity"),
    "whole number as a string": _set(("event_production_targets", 0, "target_batches"), "4"),
    "whole number not positive": _set(("event_production_targets", 0, "target_batches"), -2),
    "uuid in braces": _set(
        ("production_runs", 0, "uuid"), "{0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11}"
    ),
    "decimal with a plus": _set(("recipes", 0, "yield_quantity"), "+1.5"),
    "decimal with 5 places": _set(("recipes", 0, "yield_quantity"), "1.00001"),
    "name with ESC": _set(("ingredients", 0, "name"), "Fl\x1bour"),
    "name with a final line break": _set(("ingredients", 0, "name"), "Flour\n"),
    "blank name": _set(("ingredients", 0, "name"), "   "),
    "text with NUL": _set(("ingredients", 0, "notes"), "a\x00b"),
    "unknown choice": _set(("event_recipient_packages", 0, "fulfillment_status"), "Ready"),
    "datetime without offset": _set(("production_runs", 0, "produced_at"), "2025-12-15T10:00:00"),
    "date not real": _set(("events", 0, "event_date"), "2025-02-30"),
    "component naming both": _set(
        ("finished_goods", 0, "components", 0, "finished_good_name"), "Cookie Gift Box"
    ),
    "component naming neither": _set(
        ("finished_goods", 0, "components", 0, "finished_unit_name"), ""
    ),
    "yield mode without its field": lambda d: d["finished_units"][0].update(
        yield_mode="batch_portion", batch_percentage=None
    ),
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_a_bad_document_is_refused_by_the_schema_and_the_import(db, tmp_path, change):
    document = copy.deepcopy(minimal_document())
    change(document)
    assert errors(document), "the schema accepts it"
    outcome = run_import(write_document(tmp_path, document), "--dry-run")
    assert outcome.returncode == 1, outcome.stderr


# Values of every kind, valid and not, for every field.
SAMPLES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    4.0,
    1.5,
    2.25,
    100.5,
    0.00001,
    1e3,
    2**31,
    -(2**31) - 1,
    10**8,
    Decimal("99999999.9999"),
    "",
    " ",
    "Flour",
    "  Flour  ",
    "Crème fraîche",
    "Fl\x1bour",
    "Flour\n",
    "Flour\t",
    "a\x00b",
    "\u200bFlour",
    "\u00a0",
    "1.5",
    "+1.5",
    "-1.5",
    "1e3",
    " 1.5",
    "1_000",
    "١.٥",
    "123456789",
    "00012345678.10000",
    "1.00001",
    "4",
    "pending",
    "Pending",
    "batch_portion",
    "2025-12-24",
    "2025-02-30",
    "2025-12-24\n",
    "2025-12-15T10:00:00Z",
    "2025-12-15 10:00+0100",
    "2025-12-15T10:00:00",
    "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11",
    "0B6F3C9E-2D1A-4C59-9A47-6F0D9B0F6A11",
    "{0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11}",
    "0b6f3c9e2d1a4c599a476f0d9b0f6a11",
    "x" * 201,
    "é" * 200,
    [],
    {},
]


def _field_schemas():
    """Yield (id, field, its schema as a whole schema) for every field and nested field."""
    schema = document_schema()
    for section in SECTIONS:
        record = schema["properties"][section.key]["items"]
        groups = [(section.key, section.fields, record)]
        if section.nested:
            item = record["properties"][section.nested.key]["items"]
            groups.append((f"{section.key}.{section.nested.key}", section.nested.fields, item))
        for where, fields, container in groups:
            for f in fields:
                whole = {"$schema": DIALECT, "$defs": schema["$defs"]}
                yield f"{where}.{f.key}", f, {**whole, **container["properties"][f.key]}


FIELD_SCHEMAS = list(_field_schemas())


@pytest.mark.parametrize(
    ("field", "schema"), [(f, s) for _, f, s in FIELD_SCHEMAS], ids=[i for i, _, _ in FIELD_SCHEMAS]
)
def test_the_schema_of_a_field_refuses_only_what_its_codec_refuses(field, schema):
    check = validator(schema)
    assert check.is_valid(field.codec.example())
    for value in SAMPLES:
        if not check.is_valid(value):
            with pytest.raises(Invalid):
                field.codec.parse(value)


def test_a_name_s_pattern_refuses_the_control_characters_of_bakery_names():
    pattern = re.compile(NAME_PATTERN)
    for code in range(0x300):
        char = chr(code)
        refused = pattern.search(f"a{char}b") is None
        assert refused == bool(CONTROL.search(char)), hex(code)


def _sections_of_the_doc() -> dict[str, list[tuple[str, bool]]]:
    """Return, per section heading of the doc, the (field, required) rows of its tables."""
    text = FORMAT_DOC.read_text(encoding="utf-8")
    start = text.index("\n## Sections\n")
    part = text[start : text.index("\n## ", start + 1)]
    chunks = re.split(r"^### `(\w+)`$", part, flags=re.M)[1:]
    return {
        name: [
            (key, req == "yes")
            for key, req in re.findall(r"^\| `(\w+)` \| (yes|no) \|", body, re.M)
        ]
        for name, body in zip(chunks[::2], chunks[1::2], strict=True)
    }


def test_the_doc_lists_the_header_keys_in_order():
    text = FORMAT_DOC.read_text(encoding="utf-8")
    start = text.index("\n## The header\n")
    part = text[start : text.index("\n## ", start + 1)]
    rows = re.findall(r"^\| `(\w+)` \| (yes|no) \|", part, re.M)
    required = document_schema()["required"]
    assert rows == [(key, "yes" if key in required else "no") for key in HEADER_KEYS]


def test_the_doc_lists_every_section_and_field_in_order():
    documented = _sections_of_the_doc()
    assert list(documented) == [s.key for s in SECTIONS]
    schema = document_schema()
    for section in SECTIONS:
        record = schema["properties"][section.key]["items"]
        expected = [(key, key in record["required"]) for key in section.keys]
        if section.nested:
            item = record["properties"][section.nested.key]["items"]
            expected += [(f.key, f.key in item["required"]) for f in section.nested.fields]
        assert documented[section.key] == expected, section.key


def test_export_bakery_schema_prints_the_committed_schema():
    out = StringIO()

    call_command("export_bakery", "--schema", stdout=out, stderr=StringIO())

    assert out.getvalue() == SCHEMA_FILE.read_text(encoding="utf-8")
