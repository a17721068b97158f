"""Write the hostile corpus: bad exchange documents and, in expected.json, what each must get.

Run it from the project root after adding or changing a case, then review the diff:

    DJANGO_SETTINGS_MODULE=bakery.settings .venv/bin/python tests/exchange/corpus/generate.py

The expected exit status and stderr lines are written here from the exchange format's
contract (docs/exchange-format.md and the message table), never read back from an import: the
test imports every file and compares. Each file is the minimal document of
tests/helpers.py (a record in every section, each referring to the others, none named
as the factories name theirs) with one thing wrong, so that without it the file would import.
"{path}" in a message stands for the file's path. A JSON error is located at the character
the parser stops at: the end of an unexpected string, one past an unexpected number.
"""

import bz2
import gzip
import json
import lzma
import os
import struct
import sys
import zipfile
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
# The project root, three levels up (tests/exchange/corpus), for bakery.settings and tests.
sys.path.insert(0, str(HERE.parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakery.settings")
django.setup()

from django.db import models  # noqa: E402

from exchange.schema import SECTIONS  # noqa: E402
from tests.helpers import NAMES, RUN_UUIDS, minimal_document  # noqa: E402

BOM = b"\xef\xbb\xbf"
DECIMAL = 'a decimal (a string like "12.50" or a number)'
CONTROL = "must not contain a control character (a tab, a line break, ESC, ...)"
EDGES = (
    "must not begin or end with a blank or invisible character "
    "(a no-break space, a zero-width space, ...)"
)
CASES: dict[str, dict] = {}
FILES: dict[str, bytes] = {}


def text(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def case(name, content, messages, status=1, note="", lands=None):
    """Add a file: its content (a document, text or bytes) and what importing it must give."""
    if isinstance(content, dict):
        content = text(content)
    if isinstance(content, str):
        content = content.encode("utf-8")
    assert name not in FILES, name
    FILES[name] = content
    CASES[name] = {"status": status, "messages": messages, "note": note}
    if lands:
        CASES[name]["lands"] = lands


def doc():
    return minimal_document()


def with_value(section, key, value, child=None):
    """Return the minimal document with one field of its record (or of its child) set."""
    document = doc()
    record = document[section][0]
    if child is not None:
        record = record[child][0]
    record[key] = value
    return document


def without(section, key, child=None):
    document = doc()
    record = document[section][0]
    if child is not None:
        record = record[child][0]
    del record[key]
    return document


def at(content: str, index: int) -> str:
    """Return "line L, column C" of the character at index (columns count characters)."""
    before = content[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return f"line {line}, column {column}"


def end_of(content: str, token: str) -> int:
    """Return the index of the last character of a token: a parser reads a whole string."""
    return content.index(token) + len(token) - 1


def json_error(content: str, index: int, reason: str) -> str:
    return f"invalid JSON at {at(content, index)}: {reason}"


def where(section, key, child=None):
    return f"{section}[0].{child}[0].{key}" if child else f"{section}[0].{key}"


# JSON syntax: located at the character the parser stops at.

BASE = text(doc())
cut = BASE.index('"recipe_name"', BASE.index('"finished_units"')) + 5
case(
    "json-truncated.json",
    BASE[:cut],
    [json_error(BASE, cut - 1, "the document ends too soon (is it cut short?)")],
    note="a document cut short in the middle of a key",
)
case(
    "json-empty.json",
    "",
    ["invalid JSON at line 1, column 1: the document ends too soon (is it cut short?)"],
)
case(
    "json-whitespace-only.json",
    "  \n\t \n",
    ["invalid JSON at line 3, column 1: the document ends too soon (is it cut short?)"],
)
bad = BASE.replace('"version": 1,', '"version": 1', 1)
case(
    "json-missing-comma.json",
    bad,
    [json_error(bad, end_of(bad, '"exported_at"'), "expected ',' or '}' after a value")],
)
bad = BASE.replace('"name": "Flour",', '"name" "Flour",', 1)
case(
    "json-missing-colon.json",
    bad,
    [json_error(bad, end_of(bad, '"Flour"'), "expected ':' after a key")],
)
bad = BASE.replace(
    '"notes": "Some notes"\n    }\n  ],\n  "recipes"',
    '"notes": "Some notes",\n    }\n  ],\n  "recipes"',
    1,
)
case(
    "json-trailing-comma.json",
    bad,
    [
        json_error(
            bad,
            bad.index("}", bad.index('"Some notes",')),
            "a key must be a string in double quotes (is there a comma too many?)",
        )
    ],
)
bad = '{\n  format: "bakery-exchange"\n}\n'
case(
    "json-unquoted-key.json",
    bad,
    # The parser reads a word as far as it could be true, false or null.
    [
        json_error(
            bad, bad.index("format") + 1, "unexpected word (is a string missing its double quotes?)"
        )
    ],
)
bad = "{\n  'format': 'bakery-exchange'\n}\n"
case(
    "json-single-quotes.json",
    bad,
    [json_error(bad, bad.index("'"), "unexpected character")],
)
bad = BASE.replace('  "scope": null,', '  "scope": null, // all events', 1)
case(
    "json-comment.json",
    bad,
    [json_error(bad, bad.index("//"), "comments are not allowed in JSON")],
)
bad = BASE + '{"format": "bakery-exchange"}\n'
case(
    "json-trailing-garbage.json",
    bad,
    [json_error(bad, len(BASE), "unexpected text after the end of the document")],
    note="a second document after the first",
)
for label, token, reason in (
    ("nan", "NaN", "unexpected character"),
    ("infinity", "Infinity", "unexpected character"),
    ("minus-infinity", "-Infinity", "a number needs a digit after its minus sign"),
):
    bad = BASE.replace('"yield_quantity": "2.5000"', f'"yield_quantity": {token}', 1)
    index = bad.index(token) + (1 if token.startswith("-") else 0)
    case(
        f"json-bare-{label}.json",
        bad,
        [json_error(bad, index, reason)],
        note="NaN and Infinity are not JSON",
    )
bad = BASE.replace('"version": 1,', '"version": 01,', 1)
case(
    "json-leading-zero.json",
    bad,
    # A number ends where something else begins: the parser stops one past it.
    [json_error(bad, bad.index("01") + 2, "expected ',' or '}' after a value")],
)
bad = BASE.replace('"Some notes"', '"Some \\x notes"', 1)
case(
    "json-bad-escape.json",
    bad,
    [
        json_error(
            bad,
            bad.index("\\x") + 1,
            "a backslash before a character it may not escape (write a backslash as \\\\)",
        )
    ],
)
bad = BASE.replace('"Some notes"', '"Some\tnotes"', 1)
case(
    "json-raw-tab-in-string.json",
    bad,
    [
        json_error(
            bad,
            bad.index("\t"),
            "a control character inside a string (write a tab as \\t, a line break as \\n)",
        )
    ],
)
raw = BASE.replace('"Flour"', '"Fl\udcffour"', 1).encode("utf-8", "surrogateescape")
index = BASE.index('"Flour"') + 3
case(
    "json-invalid-utf8-byte.json",
    raw,
    [json_error(BASE, index, "text that is not UTF-8")],
    note="a byte 0xff that no UTF-8 text has",
)
latin = BASE.replace('"Flour"', '"Crème fraîche"', 1)
case(
    "json-latin1.json",
    latin.encode("latin-1"),
    [json_error(latin, latin.index("è"), "text that is not UTF-8")],
    note="a document saved as Latin-1",
)
case(
    "json-utf16.json",
    BASE.encode("utf-16"),
    ["invalid JSON at line 1, column 1: unexpected character"],
    note="UTF-16 with its byte order mark: not UTF-8",
)
case(
    "json-double-bom.json",
    BOM + BOM + BASE.encode("utf-8"),
    ["invalid JSON at line 1, column 1: unexpected character"],
    note="one byte order mark is dropped, a second is text before the document",
)
for label, escape in (("high", "\\ud83c"), ("low", "\\udf84")):
    bad = BASE.replace('"Flour"', f'"Flour {escape}"', 1)
    case(
        f"json-lone-surrogate-{label}.json",
        bad,
        [
            json_error(
                bad,
                bad.index(escape),
                f"{escape} is half of a UTF-16 surrogate pair, without its other half",
            )
        ],
        note="the parser would store '?' or fail; a pair (\\ud83c\\udf84) is a character",
    )
bad = BASE.replace('"Flour"', '"Flour \\ud83c\\u0041"', 1)
case(
    "json-surrogate-then-letter.json",
    bad,
    [
        json_error(
            bad,
            bad.index("\\ud83c"),
            "\\ud83c is half of a UTF-16 surrogate pair, without its other half",
        )
    ],
)
digits = "9" * 5000
bad = BASE.replace('"inventory_count": 2', f'"inventory_count": {digits}', 1)
case(
    "json-number-of-5000-digits.json",
    bad,
    [json_error(bad, bad.index(digits), "a number of more than 4300 digits")],
    note="Python refuses to convert it and the C parser crashed the process on it",
)
deep = "[" * 100_000 + "]" * 100_000
bad = BASE.replace('"scope": null', f'"scope": {deep}', 1)
case(
    "json-nested-100000-levels.json",
    bad,
    [
        "nesting deeper than 32 levels at "
        + at(bad, bad.index(deep) + 31)  # the document is level 1, the scope's list level 2
    ],
    note="refused at level 33, quickly and without exhausting the stack",
)
deep = '{"a": ' * 100_000 + "1" + "}" * 100_000
case(
    "json-nested-100000-objects.json",
    deep,
    ["nesting deeper than 32 levels at " + at(deep, 6 * 32)],
)
long_value = '{"format": "bakery-exchange", "version": 1, "exported_at": "' + "0" * (17 * 2**20)
FILES_GZ = gzip.compress(long_value.encode(), mtime=0)
case(
    "json-endless-string.json.gz",
    FILES_GZ,
    [
        "more than 16777216 bytes without a double quote from line 1, column 61: no string, "
        "number or space of a bakery document is this long"
    ],
    note="a 17 MiB string in 17 KiB of gzip: refused before the parser holds it",
)

long_value = (
    '{"format": "bakery-exchange", "version": 1, "exported_at": "' + ("0" * 2**20 + '\\"') * 17
)
case(
    "json-endless-string-of-escaped-quotes.json.gz",
    gzip.compress(long_value.encode(), mtime=0),
    [
        "more than 16777216 bytes without a double quote from line 1, column 61: no string, "
        "number or space of a bakery document is this long"
    ],
    note='an escaped quote (\\") does not end the string, nor restart the count',
)

# The document's type.

for label, content, got in (
    ("list", "[]", "a list"),
    ("list-of-document", "[" + BASE + "]", "a list"),
    ("string", '"bakery-exchange"', "a string"),
    ("number", "1", "a number"),
    ("null", "null", "null"),
    ("boolean", "true", "a boolean"),
):
    case(f"top-{label}.json", content, [f"the document must be a JSON object, got {got}"])

# The header.

document = doc()
del document["format"]
case("header-format-missing.json", document, ["format: is required"])
case(
    "header-format-other.json",
    {**doc(), "format": "django-fixture"},
    [
        "format: must be 'bakery-exchange', got 'django-fixture': "
        "this is not a bakery exchange document"
    ],
)
case(
    "header-version-newer.json",
    {**doc(), "version": 2},
    ["version: version 2 is newer than this bakery supports (1); upgrade bakery to import it"],
)
case(
    "header-version-string.json",
    {**doc(), "version": "1"},
    ["version: must be a supported version (1), got '1'"],
)
case(
    "header-version-2-pow-63.json",
    {**doc(), "version": 2**63},
    [
        "version: version 9223372036854775808 is newer than this bakery supports (1); "
        "upgrade bakery to import it"
    ],
)
case(
    "header-exported-at-naive.json",
    {**doc(), "exported_at": "2026-11-29T10:30:00"},
    ["exported_at: must have a UTC offset (like 2025-12-15T10:00:00Z), got '2026-11-29T10:30:00'"],
)
case(
    "header-scope-list.json",
    {**doc(), "scope": ["Christmas 2025"]},
    ['scope: must be null or an object like {"events": ["Christmas 2025"]}, got a list'],
)
case(
    "header-scope-events-string.json",
    {**doc(), "scope": {"events": "Christmas 2025"}},
    ["scope.events: must be a list of event names, got a string 'Christmas 2025'"],
)

# Sections and records of the wrong shape, and unknown keys.

case(
    "section-unknown-typo.json",
    {**doc(), "ingredient": []},
    ["ingredient: unknown section 'ingredient'; did you mean 'ingredients'?"],
)
case(
    "section-unknown.json",
    {**doc(), "customers": []},
    [
        "customers: unknown section 'customers'; expected one of format, version, "
        "exported_at, application, scope, ingredients, recipes, finished_units, "
        "finished_goods, packages, recipients, events, event_recipient_packages, "
        "event_production_targets, event_assembly_targets, production_runs, assembly_runs"
    ],
)
for label, value, got in (
    ("object", {"name": "Flour"}, "an object"),
    ("string", "Flour", "a string"),
    ("null", None, "null"),
):
    document = doc()
    document["recipients"] = value
    case(
        f"section-{label}-not-list.json",
        document,
        [f"recipients: must be a list of records, got {got}"],
    )
document = doc()
document["recipients"] = [1, "Alice Johnson", None, ["Alice"], True]
case(
    "record-not-object.json",
    document,
    [
        "recipients[0]: must be an object, got a number",
        "recipients[1]: must be an object, got a string",
        "recipients[2]: must be an object, got null",
        "recipients[3]: must be an object, got a list",
        "recipients[4]: must be an object, got a boolean",
    ],
)
document = doc()
document["event_production_targets"][0]["evnt_name"] = "Christmas 2025"
case(
    "field-unknown-typo.json",
    document,
    [
        "event_production_targets[0].evnt_name: unknown field 'evnt_name'; "
        "did you mean 'event_name'?"
    ],
)
document = doc()
document["recipes"][0]["ingredients"][0]["weight"] = "2"
case(
    "field-unknown-in-nested.json",
    document,
    [
        "recipes[0].ingredients[0].weight: unknown field 'weight'; expected one of "
        "ingredient_name, quantity, unit, notes"
    ],
)

# Every field of every section, and of every nested list, with a value of the wrong type.


def wrong_value(bound, turn):
    """Return a value of the wrong type for a field and the message it must get."""
    f = bound.model_field
    if bound.ref:
        value, got = [(42, "a number 42"), (["x"], "a list"), (True, "true")][turn % 3]
        return value, f"must be a name (string), got {got}"
    if f.choices:
        choices = " | ".join(c for c, _ in f.choices)
        return 42, f"must be one of {choices}, got 42"
    if isinstance(f, models.BooleanField):
        return "yes", "must be true or false, got a string 'yes'"
    if isinstance(f, models.IntegerField):
        value, got = [("4", "a string '4'"), (2.5, "a number 2.5"), ([], "a list")][turn % 3]
        return value, f"must be a whole number, got {got}"
    if isinstance(f, models.DecimalField):
        value, got = [(True, "true"), ("twelve", "a string 'twelve'"), ({}, "an object")][turn % 3]
        return value, f"must be {DECIMAL}, got {got}"
    if isinstance(f, models.DateTimeField):
        return 1734256800, "must be a date and time string, got a number 1734256800"
    if isinstance(f, models.DateField):
        return 20251224, "must be a date as YYYY-MM-DD, got 20251224"
    if isinstance(f, models.UUIDField):
        return 42, "must be a UUID string, got a number 42"
    value, got = [(42, "a number 42"), ({"a": 1}, "an object"), (False, "false")][turn % 3]
    return value, f"must be a string, got {got}"


turn = 0
for section in SECTIONS:
    for bound in section.fields:
        value, message = wrong_value(bound, turn)
        turn += 1
        case(
            f"type-{section.key}-{bound.key}.json",
            with_value(section.key, bound.key, value),
            [f"{where(section.key, bound.key)}: {message}"],
        )
    if section.nested:
        nested = section.nested
        case(
            f"type-{section.key}-{nested.key}.json",
            with_value(section.key, nested.key, {"a": 1}),
            [f"{section.key}[0].{nested.key}: must be a list, got an object"],
        )
        for bound in nested.fields:
            value, message = wrong_value(bound, turn)
            turn += 1
            case(
                f"type-{section.key}-{nested.key}-{bound.key}.json",
                with_value(section.key, bound.key, value, child=nested.key),
                [f"{where(section.key, bound.key, nested.key)}: {message}"],
            )

# Boundary values: 0, -1, 2^31, 2^63, 10^30, and the largest values that fit.

for label, section, key, child, value, message in (
    (
        "zero",
        "event_production_targets",
        "target_batches",
        None,
        0,
        "must be greater than 0, got 0",
    ),
    ("minus-one", "finished_goods", "inventory_count", None, -1, "must not be negative, got -1"),
    (
        "2-pow-31",
        "production_runs",
        "actual_yield",
        None,
        2**31,
        "must be at most 2147483647, got 2147483648",
    ),
    (
        "2-pow-63",
        "assembly_runs",
        "quantity_assembled",
        None,
        2**63,
        "must be at most 2147483647, got 9223372036854775808",
    ),
    (
        "10-pow-30",
        "finished_goods",
        "quantity",
        "components",
        10**30,
        "must be at most 2147483647, got 1000000000000000000000000000000",
    ),
    (
        "minus-2-pow-63",
        "recipes",
        "estimated_time_minutes",
        None,
        -(2**63),
        "must not be negative, got -9223372036854775808",
    ),
    ("zero-year", "events", "year", None, 0, "must be greater than 0, got 0"),
    ("zero-decimal", "recipes", "quantity", "ingredients", "0", "must be greater than 0, got 0"),
    (
        "minus-one-decimal",
        "production_runs",
        "per_unit_cost",
        None,
        "-1",
        "must not be negative, got -1",
    ),
    (
        "percentage-over-100",
        "finished_units",
        "batch_percentage",
        None,
        "100.0001",
        "must be at most 100, got 100.0001",
    ),
    (
        "2-pow-63-decimal",
        "recipes",
        "yield_quantity",
        None,
        2**63,
        "must have at most 8 digits before the decimal point, got 9223372036854775808",
    ),
    (
        "10-pow-30-decimal",
        "assembly_runs",
        "total_component_cost",
        None,
        "1" + "0" * 30,
        "must have at most 8 digits before the decimal point, got 1" + "0" * 30,
    ),
    (
        "decimal-over-max",
        "production_runs",
        "total_ingredient_cost",
        None,
        "100000000",
        "must have at most 8 digits before the decimal point, got 100000000",
    ),
    (
        "decimal-five-places",
        "production_runs",
        "per_unit_cost",
        None,
        "0.00001",
        "must have at most 4 decimal places, got 0.00001",
    ),
):
    case(
        f"bounds-{section}-{key}-{label}.json",
        with_value(section, key, value, child),
        [f"{where(section, key, child)}: {message}"],
    )
case(
    "bounds-exponent-1e999999999.json",
    BASE.replace('"inventory_count": 2', '"inventory_count": 1e999999999', 1),
    ["finished_units[0].inventory_count: must be a whole number, got a number 1E+999999999"],
    note="refused at once: converting it to an integer took longer than anyone waits",
)
case(
    "bounds-decimal-exponent-1e999999999.json",
    BASE.replace('"yield_quantity": "2.5000"', '"yield_quantity": 1e999999999', 1),
    [
        "recipes[0].yield_quantity: must have at most 8 digits before the decimal point, "
        "got 1E+999999999"
    ],
    note="overflowed the decimal context",
)
case(
    "bounds-largest-values-accepted.json",
    with_value("finished_goods", "inventory_count", 2**31 - 1)
    | {
        "production_runs": [
            {
                **doc()["production_runs"][0],
                "total_ingredient_cost": "99999999.9999",
                "expected_yield": 0,
            }
        ]
    },
    [],
    status=0,
    note="2147483647, 99999999.9999 and 0 where 0 is allowed all fit",
    lands=[
        ["bakery.FinishedGood", {"name": NAMES["finished_goods"]}, {"inventory_count": 2**31 - 1}],
        [
            "production.ProductionRun",
            {"uuid": RUN_UUIDS["production_runs"]},
            {"total_ingredient_cost": "99999999.9999", "expected_yield": 0},
        ],
    ],
)

# NaN and Infinity as strings (bare, they are not JSON: see json-bare-*).

for label, value in (
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("minus-infinity", "-Infinity"),
    ("nan-lowercase", "nan"),
    ("inf", "inf"),
    ("signalling-nan", "sNaN"),
):
    case(
        f"nan-decimal-{label}.json",
        with_value("production_runs", "total_ingredient_cost", value),
        [f"production_runs[0].total_ingredient_cost: must be {DECIMAL}, got a string '{value}'"],
    )
case(
    "nan-integer-string.json",
    with_value("event_assembly_targets", "target_quantity", "NaN"),
    ["event_assembly_targets[0].target_quantity: must be a whole number, got a string 'NaN'"],
)

# Keys repeated inside one JSON object.

bad = BASE.replace('"name": "Flour",', '"name": "Flour",\n      "name": "Bread Flour",', 1)
case(
    "duplicate-key-in-record.json",
    bad,
    ["ingredients[0]: the key 'name' appears twice in the same object"],
)
bad = BASE.replace(
    '"quantity": 2,\n          "sort_order"',
    '"quantity": 2,\n          "quantity": 3,\n          "sort_order"',
    1,
)
case(
    "duplicate-key-in-nested.json",
    bad,
    ["finished_goods[0].components[0]: the key 'quantity' appears twice in the same object"],
)
bad = BASE.replace('  "scope": null,', '  "scope": null,\n  "version": 1,', 1)
case(
    "duplicate-key-header.json",
    bad,
    ["version: the key 'version' appears twice in the same object"],
)
bad = BASE.rstrip().removesuffix("}") + ',\n  "recipients": []\n}\n'
case(
    "duplicate-key-section.json",
    bad,
    ["recipients: the key 'recipients' appears twice in the same object"],
)

# Two records with the same natural key.

document = doc()
document["ingredients"].append({**document["ingredients"][0], "category": "Flours"})
case(
    "duplicate-name.json",
    document,
    ["ingredients[1].name: 'Flour' appears twice in the file, first at ingredients[0]"],
)
document = doc()
document["recipients"].append({**document["recipients"][0], "name": "  Alice Johnson "})
case(
    "duplicate-name-after-stripping.json",
    document,
    ["recipients[1].name: 'Alice Johnson' appears twice in the file, first at recipients[0]"],
    note="the spaces around a name are stripped, as the database's check does",
)
document = doc()
document["recipients"][0]["name"] = "Zoe\u0308 Martin"
document["recipients"].append({**document["recipients"][0], "name": "Zo\u00eb Martin"})
document["event_recipient_packages"][0]["recipient_name"] = "Zo\u00eb Martin"
case(
    "duplicate-name-two-unicode-forms.json",
    document,
    ["recipients[1].name: 'Zoë Martin' appears twice in the file, first at recipients[0]"],
    note="'ë' as one character and as 'e' with a combining diaeresis are one name (NFC)",
)
document = doc()
document["ingredients"][0]["name"] = "Cafe\u0301 Flour"
for line in document["recipes"][0]["ingredients"]:
    line["ingredient_name"] = "Caf\u00e9 Flour"
case(
    "name-decomposed-accepted.json",
    document,
    [],
    status=0,
    note="a name written decomposed is stored composed (NFC), and a reference written "
    "composed finds it",
    lands=[["bakery.Ingredient", {"name": "Caf\u00e9 Flour"}, {}]],
)
document = doc()
document["event_production_targets"].append(
    {**document["event_production_targets"][0], "target_batches": 9}
)
case(
    "duplicate-target.json",
    document,
    [
        "event_production_targets[1]: event 'Christmas 2025' with recipe 'Chocolate Chip "
        "Cookies' appears twice in the file, first at event_production_targets[0]"
    ],
)
document = doc()
document["event_recipient_packages"].append(dict(document["event_recipient_packages"][0]))
case(
    "duplicate-package-assignment.json",
    document,
    [
        "event_recipient_packages[1]: event 'Christmas 2025' with recipient 'Alice Johnson' "
        "and package 'Deluxe Cookie Box' appears twice in the file, first at "
        "event_recipient_packages[0]"
    ],
)
document = doc()
document["production_runs"].append(
    {**document["production_runs"][0], "uuid": RUN_UUIDS["production_runs"].upper()}
)
case(
    "duplicate-run-uuid.json",
    document,
    [
        f"production_runs[1].uuid: '{RUN_UUIDS['production_runs']}' appears twice in the "
        "file, first at production_runs[0]"
    ],
    note="the same uuid in capitals",
)
document = doc()
document["recipes"][0]["ingredients"].append(dict(document["recipes"][0]["ingredients"][0]))
case(
    "duplicate-nested-child.json",
    document,
    [
        "recipes[0].ingredients[1]: 'Flour' appears twice in this list, first at "
        "recipes[0].ingredients[0]"
    ],
)

# Names: empty, blank, other blanks at the ends, too long, NUL.

for label, section, value, message in (
    ("empty", "ingredients", "", "must not be empty"),
    ("spaces", "recipes", "   ", "must not be empty"),
    ("tab-and-newline", "packages", "\t\n", f"{CONTROL}, got '\\t\\n'"),
    ("spaces-only", "packages", "   ", "must not be empty"),
    (
        "escape-sequence",
        "recipes",
        "Cookies\x1b[2J\x1b[H",
        f"{CONTROL}, got 'Cookies\\x1b[2J\\x1b[H'",
    ),
    ("bell", "ingredients", "Flour\x07", f"{CONTROL}, got 'Flour\\x07'"),
    ("c1-control", "events", "Christmas\x9b2J", f"{CONTROL}, got 'Christmas\\x9b2J'"),
    ("delete", "finished_units", "Cookie\x7f", f"{CONTROL}, got 'Cookie\\x7f'"),
    ("zero-width-space-at-end", "recipients", "Alice\u200b", f"{EDGES}, got 'Alice\\u200b'"),
    ("byte-order-mark-at-start", "packages", "\ufeffBox", f"{EDGES}, got '\\ufeffBox'"),
    ("right-to-left-mark-at-end", "finished_goods", "Tin\u200f", f"{EDGES}, got 'Tin\\u200f'"),
    (
        "leading-tab",
        "recipients",
        "\tAlice Johnson",
        f"{CONTROL}, got '\\tAlice Johnson'",
    ),
    (
        "trailing-no-break-space",
        "events",
        "Christmas 2025\u00a0",
        f"{EDGES}, got 'Christmas 2025\\xa0'",
    ),
    (
        "201-characters",
        "finished_goods",
        "é" * 201,
        "must be at most 200 characters, got 201: '" + "é" * 59 + "…'",
    ),
    ("null", "finished_units", None, "is required"),
    (
        "nul-character",
        "ingredients",
        "Fl\x00our",
        f"{CONTROL}, got 'Fl\\x00our'",
    ),
):
    case(
        f"name-{label}.json",
        with_value(section, "name", value),
        [f"{section}[0].name: {message}"],
    )
case(
    "name-missing.json",
    without("recipients", "name"),
    ["recipients[0].name: is required"],
)
case(
    "text-101-characters.json",
    with_value("ingredients", "category", "c" * 101),
    ["ingredients[0].category: must be at most 100 characters, got 101: '" + "c" * 59 + "…'"],
)
case(
    "text-nul-character.json",
    with_value("events", "notes", "Bring\x00cookies"),
    ["events[0].notes: must not contain the NUL character (\\u0000), got 'Bring\\x00cookies'"],
    note="SQLite stores it, PostgreSQL refuses it: refused on both, before anything lands",
)
case(
    "reference-empty.json",
    with_value("event_production_targets", "recipe_name", ""),
    ["event_production_targets[0].recipe_name: must not be empty"],
)
case(
    "reference-escape-sequence.json",
    with_value("production_runs", "recipe_name", "Cookies\x1b]0;owned\x07"),
    [f"production_runs[0].recipe_name: {CONTROL}, got 'Cookies\\x1b]0;owned\\x07'"],
    note="a natural key is a name: refused as one",
)
case(
    "name-200-characters-accepted.json",
    with_value("recipients", "name", "é" * 200)
    | {
        "event_recipient_packages": [
            {**doc()["event_recipient_packages"][0], "recipient_name": "é" * 200}
        ]
    },
    [],
    status=0,
    lands=[["bakery.Recipient", {"name": "é" * 200}, {}]],
)

# Dates and datetimes.

for label, value, message in (
    (
        "february-30",
        "2025-02-30",
        "must be a real date, got '2025-02-30' (day is out of range for month)",
    ),
    ("month-13", "2025-13-01", "must be a real date, got '2025-13-01' (month must be in 1..12)"),
    ("year-0", "0000-12-24", "must be a real date, got '0000-12-24' (year 0 is out of range)"),
    ("two-digit-year", "25-12-24", "must be a date as YYYY-MM-DD, got '25-12-24'"),
    (
        "with-time",
        "2025-12-24T00:00:00Z",
        "must be a date as YYYY-MM-DD, got '2025-12-24T00:00:00Z'",
    ),
    ("words", "Christmas Eve", "must be a date as YYYY-MM-DD, got 'Christmas Eve'"),
    ("empty", "", "must be a date as YYYY-MM-DD, got ''"),
):
    case(
        f"date-{label}.json",
        with_value("events", "event_date", value),
        [f"events[0].event_date: {message}"],
    )
for label, section, key, value, message in (
    (
        "naive",
        "production_runs",
        "produced_at",
        "2025-12-15T10:00:00",
        "must have a UTC offset (like 2025-12-15T10:00:00Z), got '2025-12-15T10:00:00'",
    ),
    (
        "naive-with-space",
        "assembly_runs",
        "assembled_at",
        "2025-12-15 10:00",
        "must have a UTC offset (like 2025-12-15T10:00:00Z), got '2025-12-15 10:00'",
    ),
    (
        "date-only",
        "production_runs",
        "produced_at",
        "2025-12-15",
        "must be a date and time like 2025-12-15T10:00:00Z, got '2025-12-15'",
    ),
    (
        "hour-25",
        "assembly_runs",
        "assembled_at",
        "2025-12-15T25:00:00Z",
        "must be a real date and time, got '2025-12-15T25:00:00Z' (hour must be in 0..23)",
    ),
    (
        "offset-24-hours",
        "production_runs",
        "produced_at",
        "2025-12-15T10:00:00+24:00",
        "must be a real date and time, got '2025-12-15T10:00:00+24:00' "
        "(the UTC offset must be less than 24 hours)",
    ),
    (
        "before-year-1-in-utc",
        "production_runs",
        "produced_at",
        "0001-01-01T00:30:00+01:00",
        "must be a real date and time, got '0001-01-01T00:30:00+01:00' "
        "(it is outside the years 1 to 9999 in UTC)",
    ),
    (
        "after-year-9999-in-utc",
        "assembly_runs",
        "assembled_at",
        "9999-12-31T23:30:00-01:00",
        "must be a real date and time, got '9999-12-31T23:30:00-01:00' "
        "(it is outside the years 1 to 9999 in UTC)",
    ),
):
    case(
        f"datetime-{label}.json",
        with_value(section, key, value),
        [f"{section}[0].{key}: {message}"],
    )

# UUIDs.

for label, value in (
    ("words", "not-a-uuid"),
    ("empty", ""),
    ("short", "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a1"),
    ("not-hex", "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a1g"),
    ("too-long", "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a110"),
):
    case(
        f"uuid-{label}.json",
        with_value("assembly_runs", "uuid", value),
        [
            "assembly_runs[0].uuid: must be a UUID like 0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11, "
            f"got '{value}'"
        ],
    )

# Look-alike numbers, uuids and dates: only the format's own spelling is read.

for label, value in (
    ("underscore", "1_000"),
    ("plus-sign", "+1.5"),
    ("spaces-around", " 1.5 "),
    ("arabic-indic-digits", "\u0661.\u0665"),
    ("fullwidth-digits", "\uff11\uff12.50"),
    ("exponent", "1e3"),
    ("no-fraction-digits", "1."),
    ("no-whole-digits", ".5"),
    ("hexadecimal", "0x10"),
    ("comma", "1,5"),
):
    case(
        f"strict-decimal-{label}.json",
        with_value("production_runs", "per_unit_cost", value),
        [f"production_runs[0].per_unit_cost: must be {DECIMAL}, got a string {value!r}"],
    )
for label, token, got in (
    ("fraction-zero", "4.0", "4.0"),
    ("exponent", "2e0", "2"),
):
    case(
        f"strict-integer-{label}.json",
        BASE.replace('"inventory_count": 2', f'"inventory_count": {token}', 1),
        [f"finished_units[0].inventory_count: must be a whole number, got a number {got}"],
    )
RUN = RUN_UUIDS["assembly_runs"]
for label, value in (
    ("braces", "{" + RUN + "}"),
    ("urn", "urn:uuid:" + RUN),
    ("no-hyphens", RUN.replace("-", "")),
    ("spaces-around", f" {RUN} "),
    ("hyphens-misplaced", RUN.replace("-", "")[:4] + "-" + RUN.replace("-", "")[4:]),
    ("arabic-indic-digit", "\u0660" + RUN[1:]),
):
    case(
        f"strict-uuid-{label}.json",
        with_value("assembly_runs", "uuid", value),
        [
            "assembly_runs[0].uuid: must be a UUID like 0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11, "
            f"got {value!r}"
        ],
    )
case(
    "strict-uuid-capitals-accepted.json",
    with_value("assembly_runs", "uuid", RUN.upper()),
    [],
    status=0,
    lands=[["production.AssemblyRun", {"uuid": RUN}, {}]],
)
for label, value in (
    ("arabic-indic-digits", "\u0662\u0660\u0662\u0665-12-24"),
    ("fullwidth-digits", "\uff12\uff10\uff12\uff15-12-24"),
    ("spaces-around", " 2025-12-24"),
):
    case(
        f"strict-date-{label}.json",
        with_value("events", "event_date", value),
        [f"events[0].event_date: must be a date as YYYY-MM-DD, got {value!r}"],
    )
case(
    "strict-datetime-arabic-indic-digits.json",
    with_value("production_runs", "produced_at", "2025-12-15T\u0661\u0660:00:00Z"),
    [
        "production_runs[0].produced_at: must be a date and time like 2025-12-15T10:00:00Z, "
        "got '2025-12-15T\u0661\u0660:00:00Z'"
    ],
)

# Between records: cycles, a run's recipe, references, a component's kind, a unit's mode.


def good(name, parts):
    return {
        "name": name,
        "description": None,
        "inventory_count": 0,
        "notes": None,
        "components": [
            {"finished_unit_name": None, "finished_good_name": p, "quantity": 1, "sort_order": i}
            for i, p in enumerate(parts)
        ],
    }


document = doc()
document["finished_goods"][0]["components"].append(
    {
        "finished_unit_name": None,
        "finished_good_name": "Cookie Gift Box",
        "quantity": 1,
        "sort_order": 1,
    }
)
case(
    "cycle-direct.json",
    document,
    [
        "finished_goods[0].components[1].finished_good_name: 'Cookie Gift Box' would contain "
        "itself: Cookie Gift Box → Cookie Gift Box"
    ],
)
document = doc()
document["finished_goods"] += [good("Tin", ["Hamper"]), good("Hamper", ["Tin"])]
case(
    "cycle-two-goods.json",
    document,
    [
        "finished_goods[1].components[0].finished_good_name: 'Tin' would contain itself: "
        "Tin → Hamper → Tin"
    ],
)
document = doc()
document["finished_goods"] += [
    good("Gift Tin", ["Gift Basket"]),
    good("Gift Basket", ["Gift Crate"]),
    good("Gift Crate", ["Gift Tin"]),
]
case(
    "cycle-three-goods.json",
    document,
    [
        "finished_goods[1].components[0].finished_good_name: 'Gift Tin' would contain itself: "
        "Gift Tin → Gift Basket → Gift Crate → Gift Tin"
    ],
)
document = doc()
document["recipes"].append({**document["recipes"][0], "name": "Gingerbread", "ingredients": []})
document["production_runs"][0]["recipe_name"] = "Gingerbread"
case(
    "run-unit-of-another-recipe.json",
    document,
    [
        "production_runs[0].finished_unit_name: 'Chocolate Chip Cookie' is made from "
        "'Chocolate Chip Cookies', not from 'Gingerbread'"
    ],
)
case(
    "reference-unknown-event.json",
    with_value("production_runs", "event_name", "Xmas 2025"),
    [
        "production_runs[0].event_name: no event named 'Xmas 2025' in the file or the database; "
        "did you mean 'Christmas 2025'?"
    ],
    note="a name not found is given the closest one found, when one is close",
)
case(
    "reference-unknown-ingredient.json",
    with_value("recipes", "ingredient_name", "Rye Flour", child="ingredients"),
    [
        "recipes[0].ingredients[0].ingredient_name: no ingredient named 'Rye Flour' in the "
        "file or the database; did you mean 'Flour'?"
    ],
)
case(
    "component-both-kinds.json",
    with_value("finished_goods", "finished_good_name", "Cookie Gift Box", child="components"),
    [
        "finished_goods[0].components[0]: give exactly one of finished_unit_name or "
        "finished_good_name, got both"
    ],
)
case(
    "component-neither-kind.json",
    with_value("finished_goods", "finished_unit_name", None, child="components"),
    [
        "finished_goods[0].components[0]: give exactly one of finished_unit_name or "
        "finished_good_name, got neither"
    ],
)
document = doc()
document["finished_units"][0].update(yield_mode="batch_portion", batch_percentage=None)
case(
    "unit-portion-without-percentage.json",
    document,
    ["finished_units[0].batch_percentage: is required when yield_mode is 'batch_portion'"],
)

# Many problems: the first hundred in file order, then a count.

document = doc()
document["ingredients"] = [{"name": "", "category": None} for _ in range(150)]
document["recipes"][0]["ingredients"] = []
case(
    "many-problems.json",
    document,
    [f"ingredients[{i}].name: must not be empty" for i in range(100)] + ["and 50 more"],
    note="problems past the error limit (100) are counted, not listed",
)

# A byte order mark is accepted.

case(
    "bom-accepted.json",
    BOM + BASE.encode("utf-8"),
    [],
    status=0,
    note="a UTF-8 byte order mark, as some editors write, is dropped",
    lands=[["bakery.Ingredient", {"name": NAMES["ingredients"]}, {"category": "Some category"}]],
)

# Compressed files and archives.

PLAIN = BASE.encode("utf-8")


def zipped(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2025, 12, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


case(
    "zip-two-members.zip",
    zipped([("bakery.json", PLAIN), ("notes.txt", b"hello")]),
    ["a .zip must hold exactly one file, this one holds 2"],
)
case("zip-no-member.zip", zipped([]), ["a .zip must hold exactly one file, this one holds 0"])
for label, name in (
    ("parent-path", "../x"),
    ("deep-parent-path", "backups/../../x.json"),
    ("absolute-path", "/tmp/x.json"),
    ("backslash-parent-path", "..\\x.json"),
    ("drive-path", "C:/x.json"),
):
    case(
        f"zip-member-{label}.zip",
        zipped([(name, PLAIN)]),
        [f"the .zip member {name!r} has an unsafe path"],
    )
crc = bytearray(zipped([("bakery.json", PLAIN)], compression=zipfile.ZIP_STORED))
crc[crc.index(b'"format"') + 2] ^= 0x01
case(
    "zip-bad-crc.zip",
    bytes(crc),
    ["cannot read {path}: BadZipFile: Bad CRC-32 for file 'bakery.json'"],
)
encrypted = bytearray(zipped([("bakery.json", PLAIN)]))
encrypted[6] |= 0x01
encrypted[encrypted.index(b"PK\x01\x02") + 8] |= 0x01
case(
    "zip-encrypted.zip",
    bytes(encrypted),
    ["cannot read {path}: the .zip member 'bakery.json' is encrypted"],
)
method = bytearray(zipped([("bakery.json", PLAIN)]))
method[8:10] = struct.pack("<H", 97)
central = method.index(b"PK\x01\x02")
method[central + 10 : central + 12] = struct.pack("<H", 97)
case(
    "zip-unknown-method.zip",
    bytes(method),
    [
        "cannot read {path}: cannot open the .zip member 'bakery.json': "
        "That compression method is not supported"
    ],
)
case(
    "zip-not-a-zip.zip",
    PLAIN,
    ["cannot read {path}: not a valid .zip (File is not a zip file)"],
)
case(
    "gz-truncated.json.gz",
    gzip.compress(PLAIN, mtime=0)[:200],
    [
        "cannot read {path}: EOFError: Compressed file ended before the end-of-stream marker "
        "was reached"
    ],
)
case(
    "gz-not-gzip.json.gz",
    PLAIN,
    ["cannot read {path}: BadGzipFile: Not a gzipped file (b'{\\n')"],
)
case(
    "xz-truncated.json.xz",
    lzma.compress(PLAIN)[:200],
    [
        "cannot read {path}: EOFError: Compressed file ended before the end-of-stream marker "
        "was reached"
    ],
)
case("bz2-not-bzip2.json.bz2", PLAIN, ["cannot read {path}: OSError: Invalid data stream"])
case(
    "bz2-json-error-inside.json.bz2",
    bz2.compress(BASE.replace('"version": 1,', '"version": 1', 1).encode()),
    [
        json_error(
            BASE.replace('"version": 1,', '"version": 1', 1),
            end_of(BASE.replace('"version": 1,', '"version": 1', 1), '"exported_at"'),
            "expected ',' or '}' after a value",
        )
    ],
    note="a JSON error inside a compressed file is located in the decompressed text",
)


def main():
    for path in HERE.iterdir():
        if path.name not in ("generate.py", "expected.json") and path.name not in FILES:
            path.unlink()
    for name, content in FILES.items():
        (HERE / name).write_bytes(content)
    manifest = {name: CASES[name] for name in sorted(CASES)}
    (HERE / "expected.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"{len(FILES)} files")


if __name__ == "__main__":
    main()
