"""Fuzz the import: a valid document, mutated, imports cleanly or is refused with locations.

Hypothesis drops, duplicates and retypes fields and records, swaps references, changes
enumerations, inserts unknown keys, truncates lists, cuts the file or changes a byte of it,
then imports the result in every mode, or as a dry run. Whatever it makes, the import ends
with exit 0 (and the document's records are in the database) or exit 1 with every problem
located and the database exactly as before: never a traceback, an exception other than
CommandError, or a partial write. Each example runs in a savepoint rolled back afterwards,
so all start from the same data.
"""

import copy
import json
import os
import re
import uuid

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import event, given
from hypothesis import strategies as st

from bakery.models import FinishedGood
from bakery.names import normalize_name
from exchange.schema import HEADER_KEYS, SECTION_BY_KEY, SECTIONS
from production.models import ProductionRun
from tests.factories import build_bakery
from tests.helpers import database_examples, export_document, minimal_document, run_import, snapshot

# Hundreds of imports of mutated documents: -m "not slow" leaves this test out.
pytestmark = pytest.mark.slow

# Examples per run; BAKERY_FUZZ_EXAMPLES raises it for a longer hunt.
FUZZ_EXAMPLES = int(os.environ.get("BAKERY_FUZZ_EXAMPLES", "500"))
FUZZ = database_examples("bakery-fuzz", FUZZ_EXAMPLES)

MODES = ("merge", "update", "replace")
REFUSED = re.compile(r"Import refused: \d+ problems? in .+; nothing was written\.")
# What follows a problem's top-level key: a record's [index], then a field or a nested item.
PLACE = re.compile(r"(\[\d+\])?(\..+)?: \S")
# Problems of the document as a whole, placed by line and column where the JSON breaks.
WHOLE = re.compile(
    r".+ at line \d+, column \d+(: .+)?"
    r"|the document must be a JSON object, got \S.*"
    r"|and \d+ more"
)
UNKNOWN_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
NAME_VARIANTS = st.one_of(
    st.sampled_from(["", " ", "  padded  ", "\ttab", "line\n", "nbsp\u00a0", "x" * 201, "N\x00L"]),
    st.text(max_size=12),
)
SCALAR_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "1e400",
            "NaN",
            "Infinity",
            "0.00001",
            "99999999.99995",
            "100000000",
            " 12.5 ",
            "2025-12-15T10:00:00",
            "2025-12-15T10:00:00+24:00",
            "2025-12-15T10:00:00+16:00",
            "0001-01-01T00:00:00.000001-23:59",
            "2025-02-30",
            "2025-02-30T10:00:00Z",
            "not a uuid",
            "PENDING",
            "batch_portion",
            "x" * 201,
        ]
    ),
    st.text(max_size=12),
    st.dictionaries(UNKNOWN_KEY, st.integers(), max_size=2),
)
JUNK = st.one_of(SCALAR_JUNK, st.lists(st.integers(), max_size=2))
BOUNDARIES = st.sampled_from(
    [0, -1, 1, 2**31 - 1, 2**31, 2**63, 10**30, "0", "0.0001", "0.00001", "-0.0001", "100",
     "100.0001", "99999999.9999", "100000000", 1.5, 0.1]
)  # fmt: skip
CHOICES = st.sampled_from(
    ["pending", "ready", "delivered", "discrete_count", "batch_portion", "Pending", "", "done"]
)


def renamed(document: dict) -> dict:
    """Return the document with every name and uuid changed: records new to the database."""
    document = copy.deepcopy(document)

    def rename(record, fields):
        for f in fields:
            if (f.key == "name" or f.ref) and record[f.key]:
                record[f.key] = f"{record[f.key]} (copy)"
            elif f.key == "uuid":
                record[f.key] = str(uuid.uuid5(uuid.NAMESPACE_URL, record[f.key]))

    for section in SECTIONS:
        for record in document[section.key]:
            rename(record, section.fields)
            if section.nested:
                for child in record[section.nested.key]:
                    rename(child, section.nested.fields)
    return document


@pytest.fixture
def documents(db):
    """Build a bakery and return valid documents: its export, new records, the minimal one."""
    build_bakery()
    exported = export_document()
    return {"exported": exported, "new": renamed(exported), "minimal": minimal_document()}


def record_spots(document) -> list[tuple]:
    """Return (section, nested, record) for every record and nested item that is an object."""
    spots = []
    for section in SECTIONS:
        records = document.get(section.key)
        if not isinstance(records, list):
            continue
        for record in records:
            if not isinstance(record, dict):
                continue
            spots.append((section, None, record))
            children = record.get(section.nested.key) if section.nested else None
            if isinstance(children, list):
                spots += [(section, section.nested, c) for c in children if isinstance(c, dict)]
    return spots


def list_spots(document) -> list[list]:
    """Return every list of records: the sections and the nested lists."""
    lists = [document[s.key] for s in SECTIONS if isinstance(document.get(s.key), list)]
    for section, nested, record in record_spots(document):
        if nested is None and section.nested:
            children = record.get(section.nested.key)
            if isinstance(children, list):
                lists.append(children)
    return lists


def reference_spots(document) -> list[tuple[dict, str, str]]:
    """Return (record, key, referenced section) of every reference field present."""
    spots = []
    for section, nested, record in record_spots(document):
        for f in (nested or section).fields:
            if f.ref and f.key in record:
                spots.append((record, f.key, f.ref))
    return spots


def names_in(document) -> list[str]:
    return [
        spot[2]["name"]
        for spot in record_spots(document)
        if spot[1] is None and isinstance(spot[2].get("name"), str)
    ]


def pick(data, items, label):
    return data.draw(st.sampled_from(items), label=label) if items else None


def drop_field(document, data):
    spot = pick(data, record_spots(document), "record")
    if spot and spot[2]:
        del spot[2][pick(data, sorted(spot[2]), "field")]


def retype_field(document, data):
    spot = pick(data, record_spots(document), "record")
    if spot:
        keys = [f.key for f in (spot[1] or spot[0]).fields]
        spot[2][pick(data, keys, "field")] = data.draw(JUNK, label="value")


def boundary_value(document, data):
    spot = pick(data, record_spots(document), "record")
    if spot:
        keys = [f.key for f in (spot[1] or spot[0]).fields if not f.ref and f.key != "name"]
        spot[2][pick(data, keys, "field")] = data.draw(BOUNDARIES, label="value")


def duplicate_record(document, data):
    records = pick(data, [r for r in list_spots(document) if r], "list")
    if records:
        copied = copy.deepcopy(pick(data, records, "record"))
        records.insert(data.draw(st.integers(0, len(records)), label="at"), copied)


def drop_record(document, data):
    records = pick(data, [r for r in list_spots(document) if r], "list")
    if records:
        del records[data.draw(st.integers(0, len(records) - 1), label="at")]


def truncate_list(document, data):
    records = pick(data, [r for r in list_spots(document) if r], "list")
    if records:
        del records[data.draw(st.integers(0, len(records) - 1), label="keep") :]


def swap_references(document, data):
    spots = reference_spots(document)
    if len(spots) >= 2:
        (a, a_key, _), (b, b_key, _) = (pick(data, spots, "reference") for _ in range(2))
        a[a_key], b[b_key] = b[b_key], a[a_key]


def point_reference(document, data):
    spot = pick(data, reference_spots(document), "reference")
    if spot:
        names = names_in(document)
        value = st.one_of(st.sampled_from(names or [""]), NAME_VARIANTS, st.none())
        spot[0][spot[1]] = data.draw(value, label="name")


def change_choice(document, data):
    spots = [
        (record, key)
        for _, _, record in record_spots(document)
        for key in ("yield_mode", "fulfillment_status")
        if key in record
    ]
    spot = pick(data, spots, "choice")
    if spot:
        spot[0][spot[1]] = data.draw(CHOICES, label="value")


def rename_record(document, data):
    spots = [s for s in record_spots(document) if s[1] is None and s[0].named]
    spot = pick(data, spots, "record")
    if spot:
        others = [r.get("name") for r in document[spot[0].key] if isinstance(r, dict)]
        value = st.one_of(st.sampled_from(others), NAME_VARIANTS)
        spot[2]["name"] = data.draw(value, label="name")


def change_uuid(document, data):
    runs = [s for s in record_spots(document) if s[0].key.endswith("_runs") and s[1] is None]
    spot = pick(data, runs, "run")
    if spot:
        others = [s[2].get("uuid") for s in runs]
        value = st.one_of(
            st.sampled_from(others),
            st.uuids().map(str),
            st.sampled_from(["", "not-a-uuid", str(uuid.uuid4()).upper(), None]),
        )
        spot[2]["uuid"] = data.draw(value, label="uuid")


def unknown_key(document, data):
    spots = [(None, None, document), *record_spots(document)]
    spot = pick(data, spots, "object")
    key = data.draw(UNKNOWN_KEY, label="key")
    if spot[2] is document and (key in SECTION_BY_KEY or key in HEADER_KEYS):
        return
    spot[2][key] = data.draw(JUNK, label="value")


def drop_top_level(document, data):
    del document[pick(data, sorted(document), "key")]


def change_header(document, data):
    key = pick(data, ["format", "version", "exported_at", "scope", "application"], "key")
    value = st.one_of(
        JUNK,
        st.sampled_from(
            [2, "1", 1.0, 0, "bakery-exchange ", {"events": ["Nope"]}, {"events": "x"}, []]
        ),
    )
    document[key] = data.draw(value, label="value")


def move_record(document, data):
    sections = [s.key for s in SECTIONS if isinstance(document.get(s.key), list)]
    source = pick(data, [k for k in sections if document[k]], "from")
    if source:
        records = document[source]
        record = records.pop(data.draw(st.integers(0, len(records) - 1), label="at"))
        document[pick(data, sections, "to")].append(record)


def section_type(document, data):
    document[pick(data, [s.key for s in SECTIONS], "section")] = data.draw(
        st.one_of(SCALAR_JUNK, st.just([1, "x", None])),
        label="value",
    )


MUTATIONS = (
    drop_field,
    retype_field,
    boundary_value,
    duplicate_record,
    drop_record,
    truncate_list,
    swap_references,
    point_reference,
    change_choice,
    rename_record,
    change_uuid,
    unknown_key,
    drop_top_level,
    change_header,
    move_record,
    section_type,
)


def top_level_keys(raw: bytes) -> set[str]:
    """Return the keys of the document as the file holds them, damaged ones included."""
    try:
        document = json.loads(raw)
    except ValueError:
        return set()
    return set(document) if isinstance(document, dict) else set()


def assert_located(outcome, raw: bytes):
    """Assert a refusal says where each problem is, and that it is the checks' refusal.

    A place begins with a key of the file (a section, a header field or an unknown key, as
    written), then a record's [index], a field, a nested item: "recipes[0].ingredients[1].
    quantity: ...". A problem of the whole file says the line and column instead.
    """
    assert REFUSED.fullmatch(outcome.message), outcome.message
    assert outcome.lines, "a refusal without a problem"
    keys = sorted({*SECTION_BY_KEY, *HEADER_KEYS, *top_level_keys(raw)}, key=len, reverse=True)
    for line in outcome.lines:
        if WHOLE.fullmatch(line):
            continue
        key = next((k for k in keys if line.startswith(k) and line[len(k)] in "[.:"), None)
        assert key is not None and PLACE.match(line[len(key) :]), line


def new_uuids(document) -> bool:
    """Whether a run of the document has no uuid, so that the import gives it a new one."""
    runs = [s for s in record_spots(document) if s[0].key.endswith("_runs") and s[1] is None]
    return any(run.get("uuid") is None for _, _, run in runs)


def assert_document_landed(document):
    """Assert the records a successful import read are in the database, consistent."""
    for section in SECTIONS:
        if not section.named:
            continue
        names = {normalize_name(r["name"]) for r in document.get(section.key, [])}
        stored = set(section.model._default_manager.filter(name__in=names).values_list("name"))
        assert {(n,) for n in names} == stored, section.key
    assert not ProductionRun.objects.exclude(recipe=F("finished_unit__recipe")).exists()
    for good in FinishedGood.objects.all():
        assert good.pk not in good.contained_goods(), f"{good} contains itself"


@FUZZ
@given(data=st.data())
def test_a_mutated_document_imports_whole_or_is_refused_located(documents, tmp_path, data):
    base = data.draw(st.sampled_from(sorted(documents)), label="base")
    document = copy.deepcopy(documents[base])
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        mutate(document, data)
    raw = bytearray(json.dumps(document, indent=2, ensure_ascii=data.draw(st.booleans())), "utf-8")
    damage = data.draw(st.sampled_from(["none"] * 8 + ["cut", "byte"]), label="damage")
    if damage == "cut":
        del raw[data.draw(st.integers(0, len(raw) - 1), label="cut at") :]
    elif damage == "byte":
        raw[data.draw(st.integers(0, len(raw) - 1), label="at")] = data.draw(st.integers(0, 255))
    path = tmp_path / "bakery.json"
    path.write_bytes(raw)
    mode = data.draw(st.sampled_from(MODES), label="mode")
    dry_run = data.draw(st.booleans(), label="dry run")
    args = ["--mode", mode, "--noinput", *(["--dry-run"] if dry_run else [])]

    before = snapshot()
    with transaction.atomic():
        outcome = run_import(str(path), *args)
        event(f"exit {outcome.returncode}")
        assert outcome.returncode in (0, 1), outcome
        assert "Traceback" not in outcome.stderr
        if outcome.returncode == 1 or dry_run:
            if outcome.returncode == 1:
                assert_located(outcome, bytes(raw))
            assert snapshot() == before
        else:
            assert all(line.startswith("warning: ") for line in outcome.lines), outcome
            # The document as the file holds it, a changed byte included.
            imported = json.loads(raw)
            assert_document_landed(imported)
            if new_uuids(imported):
                # The format's one exception: a run without uuid is given a new one, and a
                # warning says importing again would duplicate it.
                assert "missing; a new uuid was given" in outcome.stderr
            else:
                # Importing the same file twice leaves the database as after the first time.
                after = snapshot(ids=False) if mode == "replace" else snapshot()
                again = run_import(str(path), *args)
                assert again.returncode == 0, again
                assert (snapshot(ids=False) if mode == "replace" else snapshot()) == after
        transaction.set_rollback(True)
