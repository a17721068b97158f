"""compare_bakery: records matched by natural key, nested lines by their references, values as
the import reads them; a report per section, a summary line, and an exit status to script."""

import copy
import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchange.counts import count_phrase, document_counts
from exchange.diff import changed_fields
from exchange.schema import SECTION_BY_KEY, SECTIONS


@pytest.fixture
def exported(bakery, tmp_path):
    """A full export of the factory bakery, as a path."""
    path = tmp_path / "a.json"
    call_command("export_bakery", output=str(path), stderr=StringIO())
    return path


@pytest.fixture
def document(exported):
    """The export as a dict, to change and write as the second document."""
    return json.loads(exported.read_text())


def write(tmp_path, document, name="b.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def compare(*args) -> tuple[int, str, str]:
    """Run compare_bakery; return its exit status, its output and its error message."""
    out = StringIO()
    try:
        call_command("compare_bakery", *map(str, args), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), ""


def phrase(document) -> str:
    """Count a document's records and nested lines by hand, in the project's words."""
    records = sum(len(document[s.key]) for s in SECTIONS)
    lines = sum(len(r[s.nested.key]) for s in SECTIONS if s.nested for r in document[s.key])
    return count_phrase(records, lines)


def test_identical_across_export_time_compression_and_indentation(document, exported, tmp_path):
    document["exported_at"] = "2020-01-01T00:00:00Z"
    other = tmp_path / "b.json.gz"
    other.write_bytes(gzip.compress(json.dumps(document, indent=None).encode()))
    indented = tmp_path / "c.json"
    indented.write_text(json.dumps(document, indent=4))

    for second in (other, indented):
        assert compare(exported, second) == (
            0,
            f"The documents are identical: {phrase(document)} (exported_at aside).\n",
            "",
        )


def test_counts_records_and_nested_lines_apart(document):
    counts = document_counts(document)
    assert counts.phrase() == phrase(document)
    assert counts.sections["recipes"].records == len(document["recipes"])
    assert counts.sections["recipes"].lines == sum(
        len(r["ingredients"]) for r in document["recipes"]
    )
    assert count_phrase(1, 1) == "1 record and 1 nested line"
    assert count_phrase(67, 0) == "67 records and 0 nested lines"


def test_a_record_added_at_the_top_shifts_nothing(document, exported, tmp_path):
    before = copy.deepcopy(document)
    first = document["recipes"][0]
    document["recipes"].insert(0, {**document["recipes"][1], "name": "Almond Biscotti"})
    first["yield_quantity"] = "36.0000"
    code, out, error = compare(exported, write(tmp_path, document))

    assert (code, error) == (1, "The documents differ.")
    assert out.splitlines() == [
        "recipes: 1 added, 0 removed, 1 changed",
        "  + 'Almond Biscotti'",
        f"  ~ {first['name']!r}",
        "      yield_quantity: '48.0000' → '36.0000'",
        "Summary: 1 added, 0 removed, 1 changed records in 1 section; "
        f"{exported} has {phrase(before)}, {tmp_path / 'b.json'} has {phrase(document)} "
        "(exported_at aside).",
    ]


def test_removed_records_and_changed_fields_by_section(document, exported, tmp_path):
    removed = document["ingredients"].pop()
    recipient, event = document["recipients"][0], document["events"][1]
    address = recipient["address"]
    recipient["address"] = None
    event["notes"] = "Snowed in"
    code, out, _ = compare(exported, write(tmp_path, document))

    assert code == 1
    lines = out.splitlines()
    assert lines[:8] == [
        "ingredients: 0 added, 1 removed, 0 changed",
        f"  - {removed['name']!r}",
        "recipients: 0 added, 0 removed, 1 changed",
        f"  ~ {recipient['name']!r}",
        f"      address: {address!r} → null",
        "events: 0 added, 0 removed, 1 changed",
        f"  ~ {event['name']!r}",
        "      notes: null → 'Snowed in'",
    ]
    assert lines[8].startswith("Summary: 0 added, 1 removed, 2 changed records in 3 sections; ")


def test_nested_lines_in_another_order_are_identical(document, exported, tmp_path):
    for section in SECTIONS:
        if section.nested:
            for record in document[section.key]:
                record[section.nested.key].reverse()
    document["recipes"].reverse()

    assert compare(exported, write(tmp_path, document))[0] == 0


def test_a_changed_nested_line_is_one_field_holding_both_lists(document, exported, tmp_path):
    first = document["recipes"][0]
    old = copy.deepcopy(first["ingredients"])
    lines = first["ingredients"]
    lines[0]["quantity"] = "3.0000"
    lines.reverse()
    code, out, _ = compare(exported, write(tmp_path, document), "--format", "json")

    assert code == 1
    changed = json.loads(out)["sections"]["recipes"]["changed"]
    new = sorted(lines, key=lambda line: line["ingredient_name"])
    assert changed == [{"key": first["name"], "fields": {"ingredients": [old, new]}}]


def test_nested_lines_are_reported_by_their_references(document, exported, tmp_path):
    first = document["recipes"][0]
    lines = first["ingredients"]
    kept, removed = lines
    other = document["recipes"][1]["ingredients"][0]["ingredient_name"]
    kept["quantity"] = "3"
    lines[1] = {"ingredient_name": other, "quantity": "0.5", "unit": "cup"}
    code, out, _ = compare(exported, write(tmp_path, document))

    assert code == 1
    assert out.splitlines()[:6] == [
        "recipes: 0 added, 0 removed, 1 changed",
        f"  ~ {first['name']!r}",
        "      ingredients (nested lines): 1 added, 1 removed, 1 changed",
        f"        + {other!r} (quantity '0.5000', unit 'cup')",
        f"        - {removed['ingredient_name']!r} (quantity {removed['quantity']!r}, unit 'cup')",
        f"        ~ {kept['ingredient_name']!r}: quantity '2.2500' → '3.0000'",
    ]


def test_components_are_named_by_what_they_reference(document, exported, tmp_path):
    good = next(g for g in document["finished_goods"] if len(g["components"]) == 2)
    part = next(c for c in good["components"] if c["finished_good_name"])
    part["quantity"] = 5
    code, out, _ = compare(exported, write(tmp_path, document))

    assert code == 1
    assert out.splitlines()[:4] == [
        "finished_goods: 0 added, 0 removed, 1 changed",
        f"  ~ {good['name']!r}",
        "      components (nested lines): 0 added, 0 removed, 1 changed",
        f"        ~ finished good {part['finished_good_name']!r}: quantity 2 → 5",
    ]


def test_runs_are_matched_by_uuid_and_pairs_by_their_names(document, exported, tmp_path):
    runs = document["production_runs"]
    gone = runs.pop(0)
    runs.reverse()
    runs[0]["notes"] = "Burnt"
    target = document["event_production_targets"][0]
    target["target_batches"] += 1
    code, out, _ = compare(exported, write(tmp_path, document), "--format", "json")

    assert code == 1
    sections = json.loads(out)["sections"]
    assert sections["production_runs"] == {
        "added": [],
        "removed": [gone["uuid"]],
        "changed": [{"key": runs[0]["uuid"], "fields": {"notes": [None, "Burnt"]}}],
    }
    key = f"{target['event_name']} / {target['recipe_name']}"
    old = target["target_batches"] - 1
    assert sections["event_production_targets"]["changed"] == [
        {"key": key, "fields": {"target_batches": [old, old + 1]}}
    ]
    text = compare(exported, write(tmp_path, document))[1]
    assert (
        f"  ~ event {target['event_name']!r} with recipe {target['recipe_name']!r}"
        in text.splitlines()
    )


def test_json_gives_every_section_and_the_header_only_when_it_differs(document, exported, tmp_path):
    assert json.loads(compare(exported, exported, "--format", "json")[1]) == {
        "identical": True,
        "sections": {s.key: {"added": [], "removed": [], "changed": []} for s in SECTIONS},
    }

    scope = {"events": [document["events"][0]["name"]]}
    document["scope"] = scope
    document["ingredients"].append({"name": "Salt", "category": "Baking", "recipe_unit": "g"})
    code, out, error = compare(exported, write(tmp_path, document), "--format", "json")

    assert (code, error) == (1, "The documents differ.")
    sections = {s.key: {"added": [], "removed": [], "changed": []} for s in SECTIONS}
    sections["ingredients"]["added"] = ["Salt"]
    assert json.loads(out) == {
        "identical": False,
        "sections": sections,
        "header": {"scope": [None, scope]},
    }


def test_the_header_is_reported_in_text(document, exported, tmp_path):
    document["version"] = 2
    code, out, _ = compare(exported, write(tmp_path, document))

    assert code == 1
    assert out.splitlines()[:2] == ["header:", "  ~ version: 1 → 2"]
    assert out.splitlines()[2].startswith(
        "Summary: the header differs; 0 added, 0 removed, 0 changed records in 0 sections; "
    )


def test_values_are_compared_as_the_import_reads_them(document, exported, tmp_path):
    first = document["recipes"][0]
    first["yield_quantity"] = 48
    first["notes"] = ""
    first.pop("source")
    first["ingredients"][0]["quantity"] = "2.25"
    document["production_runs"][0]["produced_at"] = document["production_runs"][0][
        "produced_at"
    ].replace("Z", "+00:00")
    assert compare(exported, write(tmp_path, document))[0] == 0

    document["ingredients"][0]["name"] = "Cafe\u0301"
    other = copy.deepcopy(document)
    other["ingredients"][0]["name"] = " Café"
    assert compare(write(tmp_path, document), write(tmp_path, other, "c.json"))[0] == 0


def test_decimals_written_alike_are_equal(document, tmp_path):
    def run(quantity):
        doc = copy.deepcopy(document)
        doc["recipes"][0]["ingredients"][0]["quantity"] = quantity
        return doc

    first = tmp_path / "first.json"
    first.write_text(json.dumps(run("2.5")))
    second = tmp_path / "second.json"
    second.write_text(json.dumps(run("2.5000")).replace('"2.5000"', "2.5"))
    assert '"quantity": 2.5' in second.read_text()

    assert compare(first, second)[0] == 0
    assert compare(first, write(tmp_path, run("2.5000")))[0] == 0
    assert compare(first, write(tmp_path, run("2.5001"), "c.json"))[0] == 1


def test_changed_fields_compares_two_versions_of_a_record():
    section = SECTION_BY_KEY["recipes"]
    old = {
        "name": "Cookies",
        "yield_quantity": "48",
        "ingredients": [
            {"ingredient_name": "Sugar", "quantity": "1"},
            {"ingredient_name": "Flour", "quantity": 2.5},
        ],
    }
    new = {**old, "notes": "", "ingredients": list(reversed(old["ingredients"]))}
    assert changed_fields(section, old, new) == {}

    new["yield_quantity"] = "36.0000"
    new["ingredients"] = [{"ingredient_name": "Flour", "quantity": "2.5"}]
    flour = {"ingredient_name": "Flour", "quantity": "2.5000", "unit": None, "notes": None}
    sugar = {"ingredient_name": "Sugar", "quantity": "1.0000", "unit": None, "notes": None}
    assert changed_fields(section, old, new) == {
        "yield_quantity": ("48.0000", "36.0000"),
        "ingredients": ([flour, sugar], [flour]),
    }


def test_a_missing_file_is_a_usage_error_naming_it(exported, tmp_path):
    missing = tmp_path / "missing.json"
    assert compare(exported, missing) == (2, "", f"cannot read {missing}: no such file")
    assert compare(missing, exported)[0] == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '{"format": "bakery-exchange", "version": 1,',
            "invalid JSON at line 1, column 43: the document ends too soon",
        ),
        ("[1, 2]", "the document must be a JSON object, got a list"),
        ('{"format": "bakery-exchange", "version": 1, "name": "x"}', "unknown section 'name'"),
        (
            '{"name": "bakery", "version": 1}',
            "format: must be 'bakery-exchange', got nothing: this is not a bakery exchange "
            "document",
        ),
        (
            '{"format": "bakery-exchange", "version": 1, "recipes": {}}',
            "recipes: must be a list of records, got an object",
        ),
        (
            '{"format": "bakery-exchange", "version": 1, "recipes": ["Cookies"]}',
            "recipes[0]: must be an object, got a string",
        ),
        (
            '{"format": "bakery-exchange", "version": 1, "production_runs": [{"notes": "x"}]}',
            "production_runs[0].uuid: records are matched by it, got null",
        ),
        (
            '{"format": "bakery-exchange", "version": 1, "ingredients": '
            '[{"name": "Flour"}, {"name": "Flour "}]}',
            "ingredients[1]: 'Flour' appears twice in the file",
        ),
        (
            '{"format": "bakery-exchange", "version": 1, "ingredients": '
            '[{"name": "Flour", "name": "Salt"}]}',
            "ingredients[0]: the key 'name' appears twice in the same object",
        ),
    ],
)
def test_a_file_that_is_not_a_bakery_document_is_refused_naming_it(
    exported, tmp_path, text, reason
):
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    code, out, error = compare(exported, bad)

    assert (code, out) == (2, "")
    assert error.startswith(f"{bad}: {reason}")
    assert compare(bad, exported)[2].startswith(f"{bad}: {reason}")


def test_standard_input_is_one_of_the_documents_at_most(exported):
    assert compare("-", "-") == (
        2,
        "",
        "only one of the documents can be standard input ('-')",
    )


def test_help_describes_both_documents_and_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        call_command("compare_bakery", "--help")
    text = " ".join(capsys.readouterr().out.split())

    assert "first The first (old) document" in text
    assert "second The second (new) document, compared with the first" in text
    assert "0 identical, 1 different, 2 usage error" in text
    assert "--format {text,json}" in text
