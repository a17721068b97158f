"""Every check an import makes before anything lands (EXCHANGE_FORMAT.md), one test per check.

Each test starts from a whole bakery in the database, imports a small document with one
thing wrong, and asserts the exit status, the exact located lines on stderr and that the
database did not change.
"""

import json
import os
import uuid

import pytest

from bakery.models import Composition, FinishedGood
from exchange import keyset
from production.models import ProductionRun
from tests.helpers import (
    DEMO_TODAY,
    NAMES,
    RUN_UUIDS,
    manage,
    minimal_document,
    minimal_record,
    run_import,
    snapshot,
    write_document,
)

MISSING = object()


@pytest.fixture
def before(bakery):
    """The rows of a whole bakery already in the database, taken before the import."""
    return snapshot()


def document_with(section, key, value, child=None):
    """Return the minimal document with one field of its record, or of a child, set or removed."""
    document = minimal_document()
    record = document[section][0]
    if child is not None:
        record = record[child][0]
    if value is MISSING:
        del record[key]
    else:
        record[key] = value
    return document


def assert_refused(outcome, before, lines):
    """Assert the import was refused with exactly these stderr lines and wrote nothing."""
    assert outcome.returncode == 1
    assert outcome.lines == lines
    assert snapshot() == before


def import_file(tmp_path, document, *args):
    return run_import(write_document(tmp_path, document), *args)


def test_import_refuses_document_without_format(tmp_path, before):
    document = minimal_document()
    del document["format"]

    assert_refused(import_file(tmp_path, document), before, ["format: is required"])


def test_import_refuses_document_of_another_format_without_checking_its_records(tmp_path, before):
    document = document_with("event_production_targets", "target_batches", -2)
    document["format"] = "django-fixture"

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "format: must be 'bakery-exchange', got 'django-fixture': "
            "this is not a bakery exchange document"
        ],
    )


def test_import_refuses_document_without_version(tmp_path, before):
    document = minimal_document()
    del document["version"]

    assert_refused(import_file(tmp_path, document), before, ["version: is required"])


@pytest.mark.parametrize("version", [2, 17])
def test_import_refuses_newer_version_saying_it_is_newer(tmp_path, before, version):
    document = minimal_document()
    document["version"] = version

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            f"version: version {version} is newer than this bakery supports (1); "
            "upgrade bakery to import it"
        ],
    )


@pytest.mark.parametrize(
    ("version", "shown"), [(0, "0"), ("1", "'1'"), (True, "true"), (None, "null")]
)
def test_import_refuses_unsupported_version(tmp_path, before, version, shown):
    document = minimal_document()
    document["version"] = version

    assert_refused(
        import_file(tmp_path, document),
        before,
        [f"version: must be a supported version (1), got {shown}"],
    )


@pytest.mark.parametrize(
    ("exported_at", "line"),
    [
        (MISSING, "exported_at: is required"),
        (
            "yesterday",
            "exported_at: must be a date and time like 2025-12-15T10:00:00Z, got 'yesterday'",
        ),
        (
            "2026-11-29T10:30:00",
            "exported_at: must have a UTC offset (like 2025-12-15T10:00:00Z), "
            "got '2026-11-29T10:30:00'",
        ),
    ],
)
def test_import_refuses_document_without_an_aware_exported_at(tmp_path, before, exported_at, line):
    document = minimal_document()
    if exported_at is MISSING:
        del document["exported_at"]
    else:
        document["exported_at"] = exported_at

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    ("scope", "line"),
    [
        (
            "everything",
            'scope: must be null or an object like {"events": ["Christmas 2025"]}, '
            "got a string 'everything'",
        ),
        (
            {"events": "Christmas 2025"},
            "scope.events: must be a list of event names, got a string 'Christmas 2025'",
        ),
        (
            {"event": ["Christmas 2025"]},
            "scope.event: unknown field 'event'; did you mean 'events'?",
        ),
    ],
)
def test_import_refuses_scope_that_is_not_a_list_of_events(tmp_path, before, scope, line):
    document = minimal_document()
    document["scope"] = scope

    assert_refused(import_file(tmp_path, document), before, [line])


def _stray_character_on_line_3():
    lines = json.dumps(minimal_document(), indent=2).splitlines()
    assert lines[2] == '  "version": 1,'
    lines[2] += "x"
    return "\n".join(lines)


def _semicolon_deep_in_a_large_document():
    document = minimal_document()
    document["ingredients"] = [{"name": f"Ingredient {n:04}"} for n in range(3000)]
    text = json.dumps(document, indent=2)
    assert len(text.encode()) > 128 * 1024
    return text.replace('"Ingredient 2500"', '"Ingredient 2500";')


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            '{\n  "format": "bakery-exchange",\n  "version": 1,\n  "exported_at": "2026-11',
            "invalid JSON at line 4, column 25: the document ends too soon (is it cut short?)",
            id="truncated",
        ),
        pytest.param(
            _stray_character_on_line_3(),
            "invalid JSON at line 3, column 16: unexpected character",
            id="stray-character",
        ),
        pytest.param(
            _semicolon_deep_in_a_large_document(),
            "invalid JSON at line 7509, column 32: unexpected character",
            id="large-document",
        ),
    ],
)
def test_import_refuses_invalid_json_saying_line_and_column(tmp_path, before, text, line):
    assert_refused(import_file(tmp_path, text), before, [line])


def test_import_refuses_nesting_deeper_than_the_limit(tmp_path, before):
    text = '{"format": "bakery-exchange",\n "notes": ' + "[" * 40 + "]" * 40 + "}"

    assert_refused(
        import_file(tmp_path, text), before, ["nesting deeper than 32 levels at line 2, column 42"]
    )


def test_import_refuses_document_larger_than_max_size(tmp_path, before):
    outcome = import_file(tmp_path, minimal_document(), "--max-size", "1K")

    assert_refused(
        outcome,
        before,
        [
            "the uncompressed document is larger than 1024 bytes; raise the limit with "
            "--max-size if this file is trusted"
        ],
    )


@pytest.mark.parametrize(
    ("text", "got"),
    [("[]", "a list"), ('"bakery"', "a string"), ("42", "a number"), ("null", "null")],
)
def test_import_refuses_document_that_is_not_an_object(tmp_path, before, text, got):
    assert_refused(
        import_file(tmp_path, text), before, [f"the document must be a JSON object, got {got}"]
    )


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("recipies", "recipies: unknown section 'recipies'; did you mean 'recipes'?"),
        (
            "gadgets",
            "gadgets: unknown section 'gadgets'; expected one of format, version, "
            "exported_at, application, scope, ingredients, recipes, finished_units, "
            "finished_goods, packages, recipients, events, event_recipient_packages, "
            "event_production_targets, event_assembly_targets, production_runs, assembly_runs",
        ),
    ],
)
def test_import_refuses_unknown_section(tmp_path, before, key, line):
    document = minimal_document()
    document[key] = [minimal_record("recipes")]

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    ("section", "key", "child", "line"),
    [
        (
            "production_runs",
            "evnt_name",
            None,
            "production_runs[0].evnt_name: unknown field 'evnt_name'; did you mean 'event_name'?",
        ),
        (
            "recipes",
            "quantty",
            "ingredients",
            "recipes[0].ingredients[0].quantty: unknown field 'quantty'; did you mean 'quantity'?",
        ),
        (
            "events",
            "colour",
            None,
            "events[0].colour: unknown field 'colour'; "
            "expected one of name, event_date, year, notes",
        ),
    ],
)
def test_import_refuses_unknown_field(tmp_path, before, section, key, child, line):
    document = document_with(section, key, "Christmas 2025", child)

    assert_refused(import_file(tmp_path, document), before, [line])


RUN = "'0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11'"


@pytest.mark.parametrize(
    ("section", "key", "child", "value", "line"),
    [
        ("ingredients", "name", None, MISSING, "is required"),
        ("recipes", "name", None, None, "is required"),
        (
            "recipes",
            "yield_quantity",
            None,
            MISSING,
            "is required to create recipe 'Chocolate Chip Cookies', which is not in the database",
        ),
        ("recipes", "quantity", "ingredients", MISSING, "is required"),
        (
            "finished_units",
            "recipe_name",
            None,
            MISSING,
            "is required to create finished unit 'Chocolate Chip Cookie', which is not in the "
            "database",
        ),
        (
            "events",
            "event_date",
            None,
            MISSING,
            "is required to create event 'Christmas 2025', which is not in the database",
        ),
        ("event_production_targets", "target_batches", None, None, "is required"),
        (
            "production_runs",
            "recipe_name",
            None,
            MISSING,
            f"is required to create production run {RUN}, which is not in the database",
        ),
        (
            "production_runs",
            "produced_at",
            None,
            MISSING,
            f"is required to create production run {RUN}, which is not in the database",
        ),
        ("production_runs", "num_batches", None, None, "is required"),
        ("assembly_runs", "assembled_at", None, None, "is required"),
    ],
)
def test_import_refuses_record_without_required_field(
    tmp_path, before, section, key, child, value, line
):
    # null is refused as it is; a key left out is a patch of an existing record, and refused
    # only when the record is new, as here (its natural key and a nested line's are required).
    document = document_with(section, key, value, child)
    where = f"{section}[0].{child}[0]" if child else f"{section}[0]"

    assert_refused(import_file(tmp_path, document), before, [f"{where}.{key}: {line}"])


DECIMAL = 'a decimal (a string like "12.50" or a number)'


@pytest.mark.parametrize(
    ("section", "key", "value", "line"),
    [
        (
            "event_production_targets",
            "target_batches",
            "4",
            "event_production_targets[0].target_batches: must be a whole number, got a string '4'",
        ),
        (
            "recipes",
            "name",
            5,
            "recipes[0].name: must be a string, got a number 5",
        ),
        (
            "production_runs",
            "num_batches",
            True,
            "production_runs[0].num_batches: must be a whole number, got true",
        ),
        (
            "production_runs",
            "num_batches",
            2.5,
            "production_runs[0].num_batches: must be a whole number, got a number 2.5",
        ),
        (
            "packages",
            "is_template",
            "yes",
            "packages[0].is_template: must be true or false, got a string 'yes'",
        ),
        (
            "production_runs",
            "total_ingredient_cost",
            False,
            f"production_runs[0].total_ingredient_cost: must be {DECIMAL}, got false",
        ),
        (
            "production_runs",
            "total_ingredient_cost",
            "twelve",
            f"production_runs[0].total_ingredient_cost: must be {DECIMAL}, got a string 'twelve'",
        ),
        (
            "production_runs",
            "produced_at",
            20251215,
            "production_runs[0].produced_at: must be a date and time string, got a number 20251215",
        ),
        (
            "production_runs",
            "event_name",
            ["Christmas 2025"],
            "production_runs[0].event_name: must be a name (string), got a list",
        ),
        (
            "recipes",
            "ingredients",
            {"ingredient_name": "Flour"},
            "recipes[0].ingredients: must be a list, got an object",
        ),
    ],
)
def test_import_refuses_value_of_wrong_type(tmp_path, before, section, key, value, line):
    assert_refused(import_file(tmp_path, document_with(section, key, value)), before, [line])


@pytest.mark.parametrize(
    ("replace", "line"),
    [
        (
            lambda document: document.update(ingredients=[["Flour", "Baking"]]),
            "ingredients[0]: must be an object, got a list",
        ),
        (
            lambda document: document["recipes"][0].update(ingredients=["Flour"]),
            "recipes[0].ingredients[0]: must be an object, got a string",
        ),
        (
            lambda document: document.update(events={"name": "Christmas 2025"}),
            "events: must be a list of records, got an object",
        ),
    ],
    ids=["record", "nested-record", "section"],
)
def test_import_refuses_list_or_record_of_wrong_type(tmp_path, before, replace, line):
    document = minimal_document()
    replace(document)

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    ("section", "key", "value", "line"),
    [
        (
            "event_recipient_packages",
            "fulfillment_status",
            "done",
            "event_recipient_packages[0].fulfillment_status: "
            "must be one of pending | ready | delivered, got 'done'",
        ),
        (
            "event_recipient_packages",
            "fulfillment_status",
            "Ready",
            "event_recipient_packages[0].fulfillment_status: "
            "must be one of pending | ready | delivered, got 'Ready'",
        ),
        (
            "finished_units",
            "yield_mode",
            "bogus",
            "finished_units[0].yield_mode: must be one of discrete_count | batch_portion, "
            "got 'bogus'",
        ),
    ],
)
def test_import_refuses_value_outside_its_enumeration(tmp_path, before, section, key, value, line):
    assert_refused(import_file(tmp_path, document_with(section, key, value)), before, [line])


@pytest.mark.parametrize(
    ("section", "key", "child", "value", "line"),
    [
        (
            "event_production_targets",
            "target_batches",
            None,
            0,
            "event_production_targets[0].target_batches: must be greater than 0, got 0",
        ),
        (
            "event_production_targets",
            "target_batches",
            None,
            -2,
            "event_production_targets[0].target_batches: must be greater than 0, got -2",
        ),
        (
            "finished_units",
            "inventory_count",
            None,
            -1,
            "finished_units[0].inventory_count: must not be negative, got -1",
        ),
        (
            "recipes",
            "yield_quantity",
            None,
            "-0.01",
            "recipes[0].yield_quantity: must not be negative, got -0.01",
        ),
        (
            "recipes",
            "quantity",
            "ingredients",
            "0",
            "recipes[0].ingredients[0].quantity: must be greater than 0, got 0",
        ),
        (
            "finished_units",
            "batch_percentage",
            None,
            "0",
            "finished_units[0].batch_percentage: must be greater than 0, got 0",
        ),
        (
            "finished_units",
            "batch_percentage",
            None,
            100.5,
            "finished_units[0].batch_percentage: must be at most 100, got 100.5",
        ),
        (
            "finished_goods",
            "quantity",
            "components",
            0,
            "finished_goods[0].components[0].quantity: must be greater than 0, got 0",
        ),
        (
            "production_runs",
            "per_unit_cost",
            None,
            -0.5,
            "production_runs[0].per_unit_cost: must not be negative, got -0.5",
        ),
    ],
)
def test_import_refuses_number_breaking_its_positive_or_non_negative_rule(
    tmp_path, before, section, key, child, value, line
):
    document = document_with(section, key, value, child)

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "0.12345",
            "production_runs[0].per_unit_cost: must have at most 4 decimal places, got 0.12345",
        ),
        (
            0.12345,
            "production_runs[0].per_unit_cost: must have at most 4 decimal places, got 0.12345",
        ),
        (
            "123456789.5",
            "production_runs[0].per_unit_cost: must have at most 8 digits before the decimal "
            "point, got 123456789.5",
        ),
    ],
)
def test_import_refuses_decimal_that_does_not_fit_its_field(tmp_path, before, value, line):
    document = document_with("production_runs", "per_unit_cost", value)

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", "sNaN", "1_000", "+1.5", " 1.5", "\u0661.5", "1e3", ".5"],
)
def test_import_refuses_decimal_not_written_as_the_format_writes_it(tmp_path, before, value):
    document = document_with("production_runs", "total_ingredient_cost", value)

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "production_runs[0].total_ingredient_cost: must be a decimal (a string like "
            f'"12.50" or a number), got a string {value!r}'
        ],
    )


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "2025-13-01",
            "events[0].event_date: must be a real date, got '2025-13-01' (month must be in 1..12)",
        ),
        (
            "2025-02-30",
            "events[0].event_date: must be a real date, got '2025-02-30' "
            "(day is out of range for month)",
        ),
        ("24/12/2025", "events[0].event_date: must be a date as YYYY-MM-DD, got '24/12/2025'"),
        (20251224, "events[0].event_date: must be a date as YYYY-MM-DD, got 20251224"),
    ],
)
def test_import_refuses_invalid_date(tmp_path, before, value, line):
    assert_refused(
        import_file(tmp_path, document_with("events", "event_date", value)), before, [line]
    )


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "2025-12-15T10:00:00",
            "production_runs[0].produced_at: must have a UTC offset "
            "(like 2025-12-15T10:00:00Z), got '2025-12-15T10:00:00'",
        ),
        (
            "2025-12-15T25:00:00Z",
            "production_runs[0].produced_at: must be a real date and time, "
            "got '2025-12-15T25:00:00Z' (hour must be in 0..23)",
        ),
        (
            "2025-12-15",
            "production_runs[0].produced_at: must be a date and time like "
            "2025-12-15T10:00:00Z, got '2025-12-15'",
        ),
    ],
)
def test_import_refuses_datetime_that_is_invalid_or_without_offset(tmp_path, before, value, line):
    document = document_with("production_runs", "produced_at", value)

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize(
    ("section", "value", "line"),
    [
        (
            "production_runs",
            "0b6f3c9e-2d1a-4c59-9a47",
            "production_runs[0].uuid: must be a UUID like 0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11, "
            "got '0b6f3c9e-2d1a-4c59-9a47'",
        ),
        (
            "assembly_runs",
            "",
            "assembly_runs[0].uuid: must be a UUID like 0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11, "
            "got ''",
        ),
        (
            "assembly_runs",
            12,
            "assembly_runs[0].uuid: must be a UUID string, got a number 12",
        ),
    ],
)
def test_import_refuses_bad_uuid(tmp_path, before, section, value, line):
    assert_refused(import_file(tmp_path, document_with(section, "uuid", value)), before, [line])


@pytest.mark.parametrize(
    ("section", "key", "child", "kind"),
    [
        ("production_runs", "event_name", None, "event"),
        ("event_production_targets", "recipe_name", None, "recipe"),
        ("production_runs", "recipe_name", None, "recipe"),
        ("production_runs", "finished_unit_name", None, "finished unit"),
        ("event_assembly_targets", "finished_good_name", None, "finished good"),
        ("assembly_runs", "finished_good_name", None, "finished good"),
        ("event_recipient_packages", "package_name", None, "package"),
        ("event_recipient_packages", "recipient_name", None, "recipient"),
        ("recipes", "ingredient_name", "ingredients", "ingredient"),
        ("finished_goods", "finished_unit_name", "components", "finished unit"),
        ("packages", "finished_good_name", "contents", "finished good"),
    ],
)
def test_import_refuses_reference_resolving_neither_in_file_nor_database(
    tmp_path, before, section, key, child, kind
):
    document = document_with(section, key, "Xmas 2025", child)
    where = f"{section}[0].{child}[0]" if child else f"{section}[0]"
    # Only the event's name is close enough to be suggested.
    hint = "; did you mean 'Christmas 2025'?" if kind == "event" else ""

    assert_refused(
        import_file(tmp_path, document),
        before,
        [f"{where}.{key}: no {kind} named 'Xmas 2025' in the file or the database{hint}"],
    )


def test_import_refuses_component_good_resolving_neither_in_file_nor_database(tmp_path, before):
    document = minimal_document()
    document["finished_goods"][0]["components"].append(
        {"finished_unit_name": None, "finished_good_name": "Cookie Tin", "quantity": 1}
    )

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "finished_goods[0].components[1].finished_good_name: "
            "no finished good named 'Cookie Tin' in the file or the database; did you mean "
            "'Cookie Gift Box'?"
        ],
    )


def test_import_accepts_references_resolving_in_the_database_only(tmp_path, bakery):
    cookie = bakery.finished_units[0]
    event = bakery.events[0]
    box = bakery.finished_goods[0]
    document = {key: minimal_document()[key] for key in ("format", "version", "exported_at")}
    document["production_runs"] = [minimal_record("production_runs")]
    document["production_runs"][0].update(
        recipe_name=cookie.recipe.name, finished_unit_name=cookie.name, event_name=event.name
    )
    document["finished_goods"] = [minimal_record("finished_goods")]
    document["finished_goods"][0]["components"] = [
        {"finished_unit_name": None, "finished_good_name": box.name, "quantity": 2}
    ]

    outcome = import_file(tmp_path, document)

    assert (outcome.returncode, outcome.stderr) == (0, "")
    run = ProductionRun.objects.get(uuid=RUN_UUIDS["production_runs"])
    assert (run.recipe, run.finished_unit, run.event) == (cookie.recipe, cookie, event)
    hamper = FinishedGood.objects.get(name=NAMES["finished_goods"])
    assert [c.finished_good for c in hamper.components.all()] == [box]


def test_import_accepts_reference_to_record_defined_later_in_the_file(tmp_path, bakery):
    document = minimal_document()
    box = document["finished_goods"][0]
    tin = minimal_record("finished_goods")
    tin.update(name="Holiday Tin", components=[])
    tin["components"].append(
        {"finished_unit_name": None, "finished_good_name": box["name"], "quantity": 2}
    )
    document["finished_goods"] = [tin, box]

    outcome = import_file(tmp_path, document)

    assert (outcome.returncode, outcome.stderr) == (0, "")
    assert list(
        Composition.objects.filter(assembly__name="Holiday Tin").values_list(
            "finished_good__name", "quantity"
        )
    ) == [(NAMES["finished_goods"], 2)]


def _twice(section):
    def change(document):
        document[section].append(minimal_record(section))

    return change


def _same_ingredient_twice(document):
    ingredients = document["recipes"][0]["ingredients"]
    ingredients.append({**ingredients[0], "quantity": "1.0000"})


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            _twice("ingredients"),
            "ingredients[1].name: 'Flour' appears twice in the file, first at ingredients[0]",
        ),
        (
            _twice("event_production_targets"),
            "event_production_targets[1]: event 'Christmas 2025' with recipe "
            "'Chocolate Chip Cookies' appears twice in the file, first at "
            "event_production_targets[0]",
        ),
        (
            _twice("event_recipient_packages"),
            "event_recipient_packages[1]: event 'Christmas 2025' with recipient 'Alice Johnson' "
            "and package 'Deluxe Cookie Box' appears twice in the file, first at "
            "event_recipient_packages[0]",
        ),
        (
            _twice("production_runs"),
            f"production_runs[1].uuid: '{RUN_UUIDS['production_runs']}' appears twice in the "
            "file, first at production_runs[0]",
        ),
        (
            _same_ingredient_twice,
            "recipes[0].ingredients[1]: 'Flour' appears twice in this list, first at "
            "recipes[0].ingredients[0]",
        ),
    ],
    ids=["named", "pair", "triple", "run-uuid", "nested"],
)
def test_import_refuses_two_records_with_the_same_natural_key(tmp_path, before, change, line):
    document = minimal_document()
    change(document)

    assert_refused(import_file(tmp_path, document), before, [line])


@pytest.mark.parametrize("where", ["file", "database"])
def test_import_refuses_run_whose_finished_unit_comes_from_another_recipe(
    tmp_path, before, bakery, where
):
    document = minimal_document()
    run = document["production_runs"][0]
    if where == "file":
        shortbread = {**minimal_record("recipes"), "name": "Shortbread"}
        document["recipes"].append(shortbread)
        unit, made_from, named = NAMES["finished_units"], NAMES["recipes"], "Shortbread"
    else:
        cookie, cake = bakery.finished_units[0], bakery.recipes[1]
        unit, made_from, named = cookie.name, cookie.recipe.name, cake.name
    run.update(recipe_name=named, finished_unit_name=unit)

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            f"production_runs[0].finished_unit_name: '{unit}' is made from '{made_from}', "
            f"not from '{named}'"
        ],
    )


def test_update_refuses_giving_a_finished_unit_another_recipe_than_its_runs(
    tmp_path, before, bakery
):
    cookie, cake = bakery.finished_units[0], bakery.recipes[1]
    document = {key: minimal_document()[key] for key in ("format", "version", "exported_at")}
    document["finished_units"] = [
        {**minimal_record("finished_units"), "name": cookie.name, "recipe_name": cake.name}
    ]

    assert_refused(
        import_file(tmp_path, document, "--mode", "update"),
        before,
        [
            f"finished_units[0].recipe_name: '{cookie.name}' would be made from '{cake.name}', "
            f"but 3 production runs in the database make it from '{cookie.recipe.name}'"
        ],
    )


@pytest.mark.parametrize("memory_limit", [1_000_000, 2], ids=["in-memory", "on-disk"])
def test_update_counts_only_the_database_runs_the_file_does_not_set(
    tmp_path, before, bakery, monkeypatch, memory_limit
):
    """The file's runs of a unit are checked against the file; the others are counted.

    With a memory limit of 2 the file's run uuids are looked up on disk.
    """
    monkeypatch.setattr(keyset, "MEMORY_LIMIT", memory_limit)
    cookie, cake = bakery.finished_units[0], bakery.recipes[1]
    document = {key: minimal_document()[key] for key in ("format", "version", "exported_at")}
    document["finished_units"] = [
        {**minimal_record("finished_units"), "name": cookie.name, "recipe_name": cake.name}
    ]
    own_run = ProductionRun.objects.filter(finished_unit=cookie).order_by("pk").first()
    document["production_runs"] = [
        {
            **minimal_record("production_runs"),
            "uuid": str(run_uuid),
            "recipe_name": cake.name,
            "finished_unit_name": cookie.name,
            "event_name": None,
        }
        for run_uuid in [uuid.uuid4(), own_run.uuid, uuid.uuid4(), uuid.uuid4()]
    ]

    assert_refused(
        import_file(tmp_path, document, "--mode", "update"),
        before,
        [
            f"finished_units[0].recipe_name: '{cookie.name}' would be made from '{cake.name}', "
            f"but 2 production runs in the database make it from '{cookie.recipe.name}'"
        ],
    )


def test_import_finds_a_repeated_run_uuid_among_those_kept_on_disk(tmp_path, before, monkeypatch):
    monkeypatch.setattr(keyset, "MEMORY_LIMIT", 2)
    document = minimal_document()
    run = document["production_runs"][0]
    uuids = [str(uuid.UUID(int=i)) for i in range(1, 7)]
    uuids[4] = uuids[1]
    document["production_runs"] = [{**run, "uuid": value} for value in uuids]

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            f"production_runs[4].uuid: '{uuids[1]}' appears twice in the file, first at "
            "production_runs[1]"
        ],
    )


def _good(name, *parts):
    good = {**minimal_record("finished_goods"), "name": name}
    good["components"] = [
        {"finished_unit_name": None, "finished_good_name": part, "quantity": 1} for part in parts
    ]
    return good


def test_import_refuses_good_containing_itself(tmp_path, before):
    document = minimal_document()
    document["finished_goods"][0]["components"] += _good("", "Cookie Gift Box")["components"]

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "finished_goods[0].components[1].finished_good_name: 'Cookie Gift Box' would "
            "contain itself: Cookie Gift Box → Cookie Gift Box"
        ],
    )


def test_import_refuses_cycle_through_three_goods_of_the_file_once(tmp_path, before):
    document = minimal_document()
    document["finished_goods"] += [
        _good("Hamper", "Tin"),
        _good("Tin", "Sampler"),
        _good("Sampler", "Hamper"),
    ]

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "finished_goods[1].components[0].finished_good_name: 'Hamper' would contain "
            "itself: Hamper → Tin → Sampler → Hamper"
        ],
    )


def test_update_refuses_file_good_closing_a_cycle_with_goods_in_the_database(
    tmp_path, before, bakery
):
    box, tin = bakery.finished_goods
    document = {key: minimal_document()[key] for key in ("format", "version", "exported_at")}
    document["finished_goods"] = [_good(box.name, tin.name)]

    assert_refused(
        import_file(tmp_path, document, "--mode", "update"),
        before,
        [
            f"finished_goods[0].components[0].finished_good_name: '{box.name}' would contain "
            f"itself: {box.name} → {tin.name} → {box.name}"
        ],
    )


@pytest.mark.parametrize(
    ("good_name", "found"), [(NAMES["finished_goods"], "both"), (None, "neither")]
)
def test_import_refuses_component_naming_both_or_neither_unit_and_good(
    tmp_path, before, good_name, found
):
    document = minimal_document()
    document["finished_goods"].append(_good("Holiday Tin"))
    component = {"finished_unit_name": None, "finished_good_name": good_name, "quantity": 1}
    if good_name:
        component["finished_unit_name"] = NAMES["finished_units"]
    document["finished_goods"][1]["components"] = [component]

    assert_refused(
        import_file(tmp_path, document),
        before,
        [
            "finished_goods[1].components[0]: give exactly one of finished_unit_name or "
            f"finished_good_name, got {found}"
        ],
    )


def _with_duplicate_key(document, record, key):
    """Serialize a document with a key written twice in one of its objects."""
    record[f"{key}__again"] = record[key]
    text = json.dumps(document, indent=2)
    assert text.count(f'"{key}__again"') == 1
    return text.replace(f'"{key}__again"', f'"{key}"')


@pytest.mark.parametrize(
    ("path", "key", "line"),
    [
        (
            ("event_production_targets", 0),
            "target_batches",
            "event_production_targets[0]: the key 'target_batches' appears twice in the "
            "same object",
        ),
        (
            ("recipes", 0, "ingredients", 0),
            "quantity",
            "recipes[0].ingredients[0]: the key 'quantity' appears twice in the same object",
        ),
        ((), "version", "version: the key 'version' appears twice in the same object"),
    ],
    ids=["record", "nested-record", "document"],
)
def test_import_refuses_key_repeated_inside_one_object(tmp_path, before, path, key, line):
    document = minimal_document()
    record = document
    for step in path:
        record = record[step]

    assert_refused(
        import_file(tmp_path, _with_duplicate_key(document, record, key)), before, [line]
    )


@pytest.mark.parametrize(
    ("yield_mode", "key"),
    [("discrete_count", "items_per_batch"), ("batch_portion", "batch_percentage")],
)
def test_import_refuses_finished_unit_without_the_yield_field_of_its_mode(
    tmp_path, before, yield_mode, key
):
    document = document_with("finished_units", key, None)
    document["finished_units"][0]["yield_mode"] = yield_mode

    assert_refused(
        import_file(tmp_path, document),
        before,
        [f"finished_units[0].{key}: is required when yield_mode is '{yield_mode}'"],
    )


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("ingredients", "name"),
        ("events", "name"),
        ("finished_units", "recipe_name"),
        ("event_recipient_packages", "package_name"),
    ],
)
@pytest.mark.parametrize("blank", ["", "   "])
def test_import_refuses_empty_or_blank_name(tmp_path, before, section, key, blank):
    assert_refused(
        import_file(tmp_path, document_with(section, key, blank)),
        before,
        [f"{section}[0].{key}: must not be empty"],
    )


@pytest.mark.parametrize("section", ["recipes", "recipients"])
def test_import_refuses_name_over_200_characters(tmp_path, before, section):
    assert_refused(
        import_file(tmp_path, document_with(section, "name", "A" * 201)),
        before,
        [f"{section}[0].name: must be at most 200 characters, got 201: '{'A' * 59}…'"],
    )


def test_replace_import_refuses_reference_to_a_database_record(tmp_path, before, bakery):
    event = bakery.events[0]
    document = document_with("production_runs", "event_name", event.name)

    assert_refused(
        import_file(tmp_path, document, "--mode", "replace", "--noinput"),
        before,
        [
            f"production_runs[0].event_name: no event named '{event.name}' in the file "
            "(replace mode deletes the database's records first)"
        ],
    )


def _document_with_seven_problems():
    """Return a document with problems in seven sections, of both checking passes."""
    document = minimal_document()
    document["ingredients"][0]["category"] = 5
    document["recipes"][0]["ingredients"][0]["ingredient_name"] = "Suger"
    document["finished_units"][0]["yield_mode"] = "bogus"
    document["events"][0]["event_date"] = "2025-13-01"
    document["event_production_targets"][0]["target_batches"] = -2
    document["production_runs"][0]["event_name"] = "Xmas 2025"
    document["assembly_runs"][0]["assembled_at"] = "2025-12-16T09:00:00"
    return document


SEVEN_PROBLEMS = [
    "ingredients[0].category: must be a string, got a number 5",
    "recipes[0].ingredients[0].ingredient_name: no ingredient named 'Suger' in the file or "
    "the database",
    "finished_units[0].yield_mode: must be one of discrete_count | batch_portion, got 'bogus'",
    "events[0].event_date: must be a real date, got '2025-13-01' (month must be in 1..12)",
    "event_production_targets[0].target_batches: must be greater than 0, got -2",
    "production_runs[0].event_name: no event named 'Xmas 2025' in the file or the database; "
    "did you mean 'Christmas 2025'?",
    "assembly_runs[0].assembled_at: must have a UTC offset (like 2025-12-15T10:00:00Z), "
    "got '2025-12-16T09:00:00'",
]


def test_import_reports_every_problem_in_file_order(tmp_path, before):
    path = write_document(tmp_path, _document_with_seven_problems())

    outcome = run_import(path)

    assert_refused(outcome, before, SEVEN_PROBLEMS)
    assert outcome.message == f"Import refused: 7 problems in {path}; nothing was written."


def test_import_lists_problems_up_to_the_limit_then_counts_the_rest(tmp_path, before):
    outcome = import_file(tmp_path, _document_with_seven_problems(), "--error-limit", "3")

    assert_refused(outcome, before, [*SEVEN_PROBLEMS[:3], "and 4 more"])


def test_dry_run_of_a_valid_file_exits_0_and_writes_nothing(tmp_path, before):
    path = write_document(tmp_path, minimal_document())

    outcome = run_import(path, "--dry-run")

    assert (outcome.returncode, outcome.stderr) == (0, "")
    assert outcome.stdout.splitlines()[0] == f"Dry run of {path} (merge mode):"
    assert outcome.stdout.splitlines()[-3:] == [
        "total                            12          0          0          0",
        "The file holds 12 records and 3 nested lines.",
        "Dry run: nothing was written.",
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("missing.json",), {}, "cannot read {tmp}/missing.json: no such file"),
        (
            ("bakery.json", "--mode", "bogus"),
            {},
            "Error: argument --mode: invalid choice: 'bogus' "
            "(choose from 'merge', 'update', 'replace')",
        ),
        (("bakery.json",), {"mode": "bogus"}, "mode must be one of merge, update, replace"),
        (
            ("bakery.json", "--error-limit", "0"),
            {},
            "Error: argument --error-limit: must be at least 1, got '0'",
        ),
        (
            ("bakery.json", "--max-size", "lots"),
            {},
            "Error: argument --max-size: invalid size value: 'lots'",
        ),
    ],
    ids=["missing-file", "bad-mode", "bad-mode-from-code", "error-limit", "max-size"],
)
def test_import_with_unusable_request_is_a_usage_error(tmp_path, before, args, options, message):
    write_document(tmp_path, minimal_document())
    path, *rest = args

    outcome = run_import(str(tmp_path / path), *rest, **options)

    assert (outcome.returncode, outcome.stderr) == (2, "")
    assert outcome.message == message.format(tmp=tmp_path)
    assert snapshot() == before


@pytest.fixture(scope="module")
def demo_database_env(tmp_path_factory):
    """Return an environment pointing manage.py at a migrated SQLite file holding the demo."""
    path = tmp_path_factory.mktemp("import_checks") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    manage(env, "migrate", "--verbosity", "0", check=True)
    manage(env, "seed_demo", "--today", DEMO_TODAY, check=True)
    return env


def test_refused_import_from_the_shell_exits_1_with_located_lines_and_no_traceback(
    tmp_path, demo_database_env
):
    path = write_document(tmp_path, _document_with_seven_problems(), "bad.json")
    dump = ("dumpdata", "bakery", "production", "--natural-foreign", "--natural-primary")
    data_before = manage(demo_database_env, *dump, check=True).stdout

    result = manage(demo_database_env, "import_bakery", path)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        *SEVEN_PROBLEMS,
        f"CommandError: Import refused: 7 problems in {path}; nothing was written.",
    ]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert manage(demo_database_env, *dump, check=True).stdout == data_before
