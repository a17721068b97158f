"""export_bakery: the document's shape and values, indentation, event scope, query count."""

import datetime
import json
import re
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.models import (
    Composition,
    Event,
    FulfillmentStatus,
    Package,
    PackageFinishedGood,
    YieldMode,
)
from exchange.codecs import format_datetime
from exchange.exporter import _Names, iter_section
from exchange.jsontext import RECORD_LINES, DocumentWriter
from exchange.schema import HEADER_KEYS, SECTION_BY_KEY, SECTIONS
from exchange.scope import Scope
from production.models import ProductionRun
from tests.factories import (
    AssemblyRunFactory,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    EventRecipientPackageFactory,
    FinishedGoodFactory,
    FinishedUnitFactory,
    IngredientFactory,
    PackageFactory,
    ProductionRunFactory,
    RecipeFactory,
    RecipeIngredientFactory,
    RecipientFactory,
    build_bakery,
    rich_bakery,
)
from tests.helpers import (
    empty_database,
    export_document,
    export_text,
    import_file,
    row_count,
    without_exported_at,
)

EXPORTED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")
RUN_UUID = "0b6f3c9e-2d1a-4c59-9a47-6f0d9b0f6a11"
ASSEMBLY_UUID = "5d1c2a77-8e4b-4f0a-b1c3-9d2e7f6a5b40"
EASTERN = datetime.timezone(datetime.timedelta(hours=-5))
CET = datetime.timezone(datetime.timedelta(hours=1))

CHRISTMAS_DOCUMENT = {
    "format": "bakery-exchange",
    "version": 1,
    "scope": None,
    "ingredients": [
        {"name": "All-purpose flour", "category": "Baking", "recipe_unit": "cup", "notes": None},
        {"name": "Chocolate chips", "category": None, "recipe_unit": None, "notes": "Dark"},
    ],
    "recipes": [
        {
            "name": "Chocolate Chip Cookies",
            "category": "Cookies",
            "yield_quantity": "48.0000",
            "yield_unit": "cookies",
            "source": None,
            "estimated_time_minutes": None,
            "notes": None,
            "ingredients": [
                {
                    "ingredient_name": "All-purpose flour",
                    "quantity": "2.2500",
                    "unit": "cup",
                    "notes": None,
                },
                {
                    "ingredient_name": "Chocolate chips",
                    "quantity": "12.5000",
                    "unit": None,
                    "notes": "or chunks",
                },
            ],
        }
    ],
    "finished_units": [
        {
            "name": "Chocolate Chip Cookie",
            "recipe_name": "Chocolate Chip Cookies",
            "yield_mode": "discrete_count",
            "items_per_batch": 48,
            "item_unit": "cookie",
            "batch_percentage": None,
            "inventory_count": 0,
            "notes": None,
        },
        {
            "name": "Cookie Slab",
            "recipe_name": "Chocolate Chip Cookies",
            "yield_mode": "batch_portion",
            "items_per_batch": None,
            "item_unit": "slab",
            "batch_percentage": "12.5000",
            "inventory_count": 3,
            "notes": None,
        },
    ],
    "finished_goods": [
        {
            "name": "Cookie Gift Box",
            "description": None,
            "inventory_count": 0,
            "notes": None,
            "components": [
                {
                    "finished_unit_name": "Chocolate Chip Cookie",
                    "finished_good_name": None,
                    "quantity": 12,
                    "sort_order": 0,
                }
            ],
        },
        {
            "name": "Deluxe Tin",
            "description": "Two boxes and a slab",
            "inventory_count": 1,
            "notes": None,
            "components": [
                {
                    "finished_unit_name": "Cookie Slab",
                    "finished_good_name": None,
                    "quantity": 1,
                    "sort_order": 0,
                },
                {
                    "finished_unit_name": None,
                    "finished_good_name": "Cookie Gift Box",
                    "quantity": 2,
                    "sort_order": 0,
                },
            ],
        },
    ],
    "packages": [
        {
            "name": "Deluxe Cookie Box",
            "is_template": False,
            "description": None,
            "notes": None,
            "contents": [{"finished_good_name": "Cookie Gift Box", "quantity": 1}],
        },
        {
            "name": "Template Box",
            "is_template": True,
            "description": "Start here",
            "notes": None,
            "contents": [],
        },
    ],
    "recipients": [
        {
            "name": "Alice Johnson",
            "household_name": "Johnson",
            "address": "1 Elm Street",
            "notes": None,
        }
    ],
    "events": [{"name": "Christmas 2025", "event_date": "2025-12-24", "year": 2025, "notes": None}],
    "event_recipient_packages": [
        {
            "event_name": "Christmas 2025",
            "recipient_name": "Alice Johnson",
            "package_name": "Deluxe Cookie Box",
            "quantity": 1,
            "fulfillment_status": "ready",
            "delivered_to": None,
            "notes": None,
        }
    ],
    "event_production_targets": [
        {
            "event_name": "Christmas 2025",
            "recipe_name": "Chocolate Chip Cookies",
            "target_batches": 4,
            "notes": "Need extras for neighbors",
        }
    ],
    "event_assembly_targets": [
        {
            "event_name": "Christmas 2025",
            "finished_good_name": "Cookie Gift Box",
            "target_quantity": 10,
            "notes": None,
        }
    ],
    "production_runs": [
        {
            "uuid": RUN_UUID,
            "recipe_name": "Chocolate Chip Cookies",
            "finished_unit_name": "Chocolate Chip Cookie",
            "event_name": None,
            "num_batches": 2,
            "expected_yield": 96,
            "actual_yield": 94,
            "produced_at": "2025-12-15T10:00:00Z",
            "total_ingredient_cost": "12.5000",
            "per_unit_cost": "0.1330",
            "notes": None,
        }
    ],
    "assembly_runs": [
        {
            "uuid": ASSEMBLY_UUID,
            "finished_good_name": "Cookie Gift Box",
            "event_name": "Christmas 2025",
            "quantity_assembled": 5,
            "assembled_at": "2025-12-20T11:00:00.250000Z",
            "total_component_cost": "30.0000",
            "per_unit_cost": "6.0000",
            "notes": "Ribbon: red",
        }
    ],
}


@pytest.fixture
def christmas(db):
    """The bakery of the format's examples: one of each record, known values."""
    flour = IngredientFactory(name="All-purpose flour")
    chips = IngredientFactory(name="Chocolate chips", category="", recipe_unit="", notes="Dark")
    cookies = RecipeFactory(
        name="Chocolate Chip Cookies",
        estimated_time_minutes=None,
        ingredients=[(flour, Decimal("2.25"))],
    )
    RecipeIngredientFactory(
        recipe=cookies, ingredient=chips, quantity=Decimal("12.5"), unit="", notes="or chunks"
    )
    cookie = FinishedUnitFactory(name="Chocolate Chip Cookie", recipe=cookies)
    slab = FinishedUnitFactory(
        name="Cookie Slab",
        recipe=cookies,
        portion=True,
        item_unit="slab",
        batch_percentage=Decimal("12.5"),
        inventory_count=3,
    )
    box = FinishedGoodFactory(name="Cookie Gift Box", description="", components=[(cookie, 12)])
    FinishedGoodFactory(
        name="Deluxe Tin",
        description="Two boxes and a slab",
        inventory_count=1,
        components=[(box, 2), (slab, 1)],
    )
    # The same sort_order for a unit and a good: the unit comes first on every database.
    Composition.objects.filter(assembly__name="Deluxe Tin").update(sort_order=0)
    package = PackageFactory(name="Deluxe Cookie Box", description="", contents=[(box, 1)])
    PackageFactory(name="Template Box", is_template=True, description="Start here")
    alice = RecipientFactory(name="Alice Johnson", household_name="Johnson", address="1 Elm Street")
    event = EventFactory(name="Christmas 2025", event_date=datetime.date(2025, 12, 24))
    EventRecipientPackageFactory(
        event=event, recipient=alice, package=package, fulfillment_status=FulfillmentStatus.READY
    )
    EventProductionTargetFactory(
        event=event, recipe=cookies, target_batches=4, notes="Need extras for neighbors"
    )
    EventAssemblyTargetFactory(event=event, finished_good=box, target_quantity=10)
    ProductionRunFactory(
        uuid=uuid.UUID(RUN_UUID),
        standalone=True,
        finished_unit=cookie,
        num_batches=2,
        expected_yield=96,
        actual_yield=94,
        produced_at=datetime.datetime(2025, 12, 15, 5, 0, tzinfo=EASTERN),
        total_ingredient_cost=Decimal("12.5"),
        per_unit_cost=Decimal("0.1330"),
    )
    AssemblyRunFactory(
        uuid=uuid.UUID(ASSEMBLY_UUID),
        event=event,
        finished_good=box,
        quantity_assembled=5,
        assembled_at=datetime.datetime(2025, 12, 20, 12, 0, 0, 250000, tzinfo=CET),
        total_component_cost=Decimal("30"),
        per_unit_cost=Decimal("6"),
        notes="Ribbon: red",
    )
    return event


def test_export_writes_the_document_of_the_format_with_every_value_as_specified(christmas):
    document = export_document()

    assert EXPORTED_AT.match(document["exported_at"])
    assert without_exported_at(document) == {
        **CHRISTMAS_DOCUMENT,
        "application": document["application"],
    }
    assert re.fullmatch(r"bakery( \S+)?", document["application"])


def test_export_writes_the_header_then_every_section_in_schema_order(christmas):
    document = export_document()

    assert list(document) == [*HEADER_KEYS, *(section.key for section in SECTIONS)]
    assert document["format"] == "bakery-exchange"
    assert document["version"] == 1
    assert document["scope"] is None


# The sections and fields in the order the format's table gives them: the schema must keep it.
FORMAT_ORDER = {
    "ingredients": ["name", "category", "recipe_unit", "notes"],
    "recipes": [
        "name",
        "category",
        "yield_quantity",
        "yield_unit",
        "source",
        "estimated_time_minutes",
        "notes",
        "ingredients",
    ],
    "finished_units": [
        "name",
        "recipe_name",
        "yield_mode",
        "items_per_batch",
        "item_unit",
        "batch_percentage",
        "inventory_count",
        "notes",
    ],
    "finished_goods": ["name", "description", "inventory_count", "notes", "components"],
    "packages": ["name", "is_template", "description", "notes", "contents"],
    "recipients": ["name", "household_name", "address", "notes"],
    "events": ["name", "event_date", "year", "notes"],
    "event_recipient_packages": [
        "event_name",
        "recipient_name",
        "package_name",
        "quantity",
        "fulfillment_status",
        "delivered_to",
        "notes",
    ],
    "event_production_targets": ["event_name", "recipe_name", "target_batches", "notes"],
    "event_assembly_targets": ["event_name", "finished_good_name", "target_quantity", "notes"],
    "production_runs": [
        "uuid",
        "recipe_name",
        "finished_unit_name",
        "event_name",
        "num_batches",
        "expected_yield",
        "actual_yield",
        "produced_at",
        "total_ingredient_cost",
        "per_unit_cost",
        "notes",
    ],
    "assembly_runs": [
        "uuid",
        "finished_good_name",
        "event_name",
        "quantity_assembled",
        "assembled_at",
        "total_component_cost",
        "per_unit_cost",
        "notes",
    ],
}


NESTED_ORDER = {
    "recipes": ("ingredients", ["ingredient_name", "quantity", "unit", "notes"]),
    "finished_goods": (
        "components",
        ["finished_unit_name", "finished_good_name", "quantity", "sort_order"],
    ),
    "packages": ("contents", ["finished_good_name", "quantity"]),
}


def test_export_writes_sections_and_fields_in_the_order_of_the_format(christmas):
    document = export_document()

    assert list(document) == [
        "format",
        "version",
        "exported_at",
        "application",
        "scope",
        *FORMAT_ORDER,
    ]
    for key, fields in FORMAT_ORDER.items():
        assert document[key], key
        assert [list(record) for record in document[key]][0] == fields, key
    for key, (nested, fields) in NESTED_ORDER.items():
        assert list(document[key][0][nested][0]) == fields, key


def test_export_writes_every_field_of_every_record_null_where_empty(db):
    rich_bakery()
    document = export_document()

    for section in SECTIONS:
        records = document[section.key]
        assert len(records) == section.model.objects.count(), section.key
        for record in records:
            assert tuple(record) == section.keys
            for key, value in record.items():
                assert value != "", f"{section.key}.{key} is empty, not null"
            if section.nested:
                for child in record[section.nested.key]:
                    assert tuple(child) == tuple(f.key for f in section.nested.fields)
                    assert "" not in child.values()


def test_export_writes_decimals_as_strings_of_four_places_and_datetimes_in_utc(db):
    rich_bakery()
    document = export_document()

    for section in SECTIONS:
        for record in document[section.key]:
            children = record[section.nested.key] if section.nested else []
            for fields, values in [
                (section.fields, record),
                *((section.nested.fields, c) for c in children),
            ]:
                for f in fields:
                    value = values[f.key]
                    kind = f.model_field.get_internal_type()
                    if kind == "DecimalField" and value is not None:
                        assert re.fullmatch(r"\d+\.\d{4}", value), (section.key, f.key, value)
                    if kind == "DateTimeField":
                        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", value), (
                            section.key,
                            f.key,
                            value,
                        )


# How a datetime may be stored: SQLite keeps Django's text, which another program may have
# written in another form; PostgreSQL keeps the instant.
STORED_DATETIMES = {
    "sqlite": [
        "2025-12-15 10:00:00",
        "2025-12-15 10:00:00.250000",
        "2025-12-15 10:00:00.000000",
        "2025-12-15T10:00:00",
        "2025-12-15 10:00",
        "2025-12-15 10:00:00.5",
        "2025-12-15 12:00:00+02:00",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59.999999",
    ],
    "postgresql": [
        "2025-12-15 10:00:00+00",
        "2025-12-15 10:00:00.25+00",
        "2025-12-15 12:00:00+02",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59.999999+00",
    ],
}


def test_export_writes_each_stored_datetime_as_django_reads_it(db):
    unit = FinishedUnitFactory()
    runs = ProductionRunFactory.create_batch(
        len(STORED_DATETIMES[connection.vendor]), finished_unit=unit
    )
    with connection.cursor() as cursor:
        for run, stored in zip(runs, STORED_DATETIMES[connection.vendor], strict=True):
            cursor.execute(
                "UPDATE production_productionrun SET produced_at = %s WHERE id = %s",
                [stored, run.pk],
            )

    exported = {r["uuid"]: r["produced_at"] for r in export_document()["production_runs"]}

    read = {str(r.uuid): r.produced_at for r in ProductionRun.objects.filter(finished_unit=unit)}
    assert exported == {key: format_datetime(value) for key, value in read.items()}
    assert "2025-12-15T10:00:00.250000Z" in exported.values()


def test_export_writes_an_impossible_stored_datetime_as_it_is_for_the_import_to_name(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a datetime as text another program may have written")
    run = ProductionRunFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE production_productionrun SET produced_at = %s WHERE id = %s",
            ["2025-02-30 10:00:00", run.pk],
        )
    path = tmp_path / "bakery.json"

    call_command("export_bakery", "--output", str(path), stderr=StringIO())

    document = json.loads(path.read_text())
    assert [r["produced_at"] for r in document["production_runs"]] == ["2025-02-30T10:00:00Z"]
    empty_database()
    err = StringIO()
    with pytest.raises(CommandError, match="Import refused: 1 problem"):
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=err)
    assert (
        "production_runs[0].produced_at: must be a real date and time, got "
        "'2025-02-30T10:00:00Z' (day is out of range for month)"
    ) in err.getvalue()


def test_export_writes_null_event_for_standalone_runs_and_names_the_event_of_others(bakery):
    document = export_document()

    for key in ("production_runs", "assembly_runs"):
        model = next(s.model for s in SECTIONS if s.key == key)
        standalone = {
            str(u) for u in model.objects.filter(event=None).values_list("uuid", flat=True)
        }
        assert standalone
        for run in document[key]:
            if run["uuid"] in standalone:
                assert run["event_name"] is None
            else:
                assert run["event_name"] in {e.name for e in bakery.events}


def test_export_writes_the_fulfillment_status_of_every_assignment(bakery):
    document = export_document()

    statuses = {
        (a["event_name"], a["recipient_name"], a["package_name"]): a["fulfillment_status"]
        for a in document["event_recipient_packages"]
    }
    assert statuses == {
        (a.event.name, a.recipient.name, a.package.name): a.fulfillment_status
        for a in bakery.assignments
    }
    assert set(statuses.values()) == set(FulfillmentStatus.values)


@pytest.mark.parametrize("indent", ["0", "4", "-1", "-8"])
def test_export_indent_changes_only_the_layout(christmas, indent):
    default = export_text()
    text = export_text("--indent", indent)

    assert without_exported_at(json.loads(text)) == without_exported_at(json.loads(default))
    lines = text.splitlines()
    if indent.startswith("-"):
        assert len(lines) == 1
        assert text.endswith("}\n")
    elif indent == "0":
        assert all(not line.startswith(" ") for line in lines)
        assert len(lines) > 100
    else:
        assert lines[1] == '    "format": "bakery-exchange",'
        assert "        {" in lines


@pytest.mark.parametrize("indent", [-1, 0, 2, 4])
def test_export_streams_the_text_json_dumps_would_write(db, indent):
    rich_bakery()

    text = export_text("--indent", str(indent))

    expected = json.dumps(
        json.loads(text), ensure_ascii=False, indent=None if indent < 0 else indent
    )
    assert text == expected + "\n"


# Text that looks like the separators the writer tells apart in a chunk's encoding.
AWKWARD_NOTES = [
    'a, "b": c',
    '},\n{"uuid": 1}',
    ',\n"x',
    "line\nbreak\r\n\ttab",
    "\u2028\x7f\x01",
    "}, {",
]


def record_lines(document: dict) -> str:
    """Write a document in the default layout from its parts, each record by json.dumps."""
    lines = ["{"]
    keys = list(document)
    for i, key in enumerate(keys):
        end = "," if i < len(keys) - 1 else ""
        value = document[key]
        if isinstance(value, list) and value:
            records = ",\n    ".join(json.dumps(r, ensure_ascii=False) for r in value)
            lines.append(f'  "{key}": [\n    {records}\n  ]{end}')
        else:
            lines.append(f'  "{key}": {json.dumps(value, ensure_ascii=False)}{end}')
    return "\n".join(lines) + "\n}\n"


def test_export_default_layout_is_each_record_as_json_dumps_writes_it_on_a_line_of_its_own(db):
    b = rich_bakery()
    for notes in AWKWARD_NOTES:
        ProductionRunFactory(notes=notes, finished_unit=b.finished_units[0])
        EventFactory(name=f"Event {notes}", notes=notes)
    # More records than the exporter reads at once, so that a section is written in chunks.
    ProductionRunFactory.create_batch(2100, finished_unit=b.finished_units[0])

    text = export_text()

    document = json.loads(text)
    assert len(document["production_runs"]) > 2100
    assert {r["notes"] for r in document["production_runs"]} >= set(AWKWARD_NOTES)
    assert text == record_lines(document)


# Text mostly of JSON's punctuation, so that strings like '}, {' and ',\n"' come often.
json_like_text = st.text(alphabet=st.sampled_from('{}[],:" \\\n\r\tab\x01\u2028é')) | st.text()
flat_records = st.lists(
    st.dictionaries(
        json_like_text,
        st.none() | st.booleans() | st.integers() | json_like_text,
        max_size=6,
    ),
    max_size=12,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(chunks=st.lists(flat_records, max_size=4))
def test_writer_writes_a_section_in_chunks_as_record_by_record(chunks):
    records = [record for chunk in chunks for record in chunk]
    for indent, expected in (
        (RECORD_LINES, record_lines({"section": records})),
        (None, json.dumps({"section": records}, ensure_ascii=False) + "\n"),
        (2, json.dumps({"section": records}, ensure_ascii=False, indent=2) + "\n"),
    ):
        out = StringIO()
        writer = DocumentWriter(out, indent)
        writer.begin()
        count = writer.section("section", chunks, flat=True)
        writer.end()

        assert out.getvalue() == expected
        assert count == len(records)


def test_export_reads_names_again_for_a_record_added_since_they_were_read(db):
    # Outside a snapshot (a caller's READ COMMITTED transaction) a run may reference a recipe
    # added after the export read the recipes' names.
    names = _Names()
    runs = SECTION_BY_KEY["production_runs"]
    ProductionRunFactory()
    assert [len(chunk) for chunk in iter_section(runs, Scope(), names)] == [1]
    late = ProductionRunFactory(recipe=RecipeFactory(name="Added meanwhile"))

    records = [r for chunk in iter_section(runs, Scope(), names) for r in chunk]

    assert [r["recipe_name"] for r in records if r["uuid"] == str(late.uuid)] == ["Added meanwhile"]


def test_export_names_a_reference_to_a_record_deleted_meanwhile_as_a_database_failure(db):
    RecipeFactory()

    with pytest.raises(DatabaseError, match="a record of recipes that an exported record"):
        _Names().column("recipes", [-1])


def test_export_indent_zero_writes_each_record_on_its_own_lines(christmas):
    assert export_text("--indent", "0").splitlines()[:3] == [
        "{",
        '"format": "bakery-exchange",',
        '"version": 1,',
    ]


def test_export_orders_a_unit_before_a_good_of_the_same_sort_order(christmas):
    tin = next(g for g in export_document()["finished_goods"] if g["name"] == "Deluxe Tin")

    assert [(c["finished_unit_name"], c["finished_good_name"]) for c in tin["components"]] == [
        ("Cookie Slab", None),
        (None, "Cookie Gift Box"),
    ]


def test_export_orders_names_by_their_utf8_bytes_on_every_database(db):
    for name in ("é", "🍪", "Z", "a", "É", "B", "a b", "ab"):
        IngredientFactory(name=name)

    names = [i["name"] for i in export_document()["ingredients"]]

    assert names == ["B", "Z", "a", "a b", "ab", "É", "é", "🍪"]
    assert names == sorted(names, key=lambda n: n.encode("utf-8"))


def test_export_orders_events_by_date_then_name_and_runs_by_time_then_uuid(db):
    for name, day in (("b", 2), ("a", 2), ("c", 1)):
        EventFactory(name=name, event_date=datetime.date(2025, 12, day))
    unit = FinishedUnitFactory()
    at = datetime.datetime(2025, 12, 1, 12, 0, tzinfo=datetime.UTC)
    uuids = ["ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000000"]
    for text in uuids:
        ProductionRunFactory(
            uuid=uuid.UUID(text), standalone=True, finished_unit=unit, produced_at=at
        )
    ProductionRunFactory(
        standalone=True, finished_unit=unit, produced_at=at - datetime.timedelta(microseconds=1)
    )

    document = export_document()

    assert [e["name"] for e in document["events"]] == ["c", "a", "b"]
    runs = [(r["produced_at"], r["uuid"]) for r in document["production_runs"]]
    assert runs[1:] == [("2025-12-01T12:00:00Z", uuids[1]), ("2025-12-01T12:00:00Z", uuids[0])]
    assert runs[0][0] == "2025-12-01T11:59:59.999999Z"


def test_export_keeps_each_nested_list_with_its_parent_across_batches(db):
    good, other = FinishedGoodFactory(name="Box"), FinishedGoodFactory(name="Tin")
    packages = Package.objects.bulk_create(
        Package(name=f"Package {n:04d}", description="") for n in range(1201)
    )
    PackageFinishedGood.objects.bulk_create(
        PackageFinishedGood(package=p, finished_good=g, quantity=n + 1)
        for n, p in enumerate(packages)
        for g in ((good, other) if n % 2 else (good,))
    )

    records = export_document()["packages"]

    assert len(records) == 1201
    for n, record in enumerate(records):
        assert record["name"] == f"Package {n:04d}"
        expected = [{"finished_good_name": "Box", "quantity": n + 1}]
        if n % 2:
            expected.append({"finished_good_name": "Tin", "quantity": n + 1})
        assert record["contents"] == expected


def _names(records, key="name"):
    return sorted(r[key] for r in records)


@pytest.fixture
def two_events(db):
    """Christmas and Easter, each with a world of its own, and standalone production."""
    flour, sugar, butter, molasses = (
        IngredientFactory(name=n) for n in ("Flour", "Sugar", "Butter", "Molasses")
    )
    cookies = RecipeFactory(name="Cookies", ingredients=[(flour, 2), (sugar, 1)])
    shortbread = RecipeFactory(name="Shortbread", ingredients=[(butter, 1)])
    gingerbread = RecipeFactory(name="Gingerbread", ingredients=[(molasses, 1)])
    cookie = FinishedUnitFactory(name="Cookie", recipe=cookies)
    finger = FinishedUnitFactory(name="Shortbread finger", recipe=shortbread, portion=True)
    box = FinishedGoodFactory(name="Cookie box", components=[(cookie, 12)])
    tin = FinishedGoodFactory(name="Tin", components=[(box, 2), (finger, 4)])
    hamper = FinishedGoodFactory(name="Hamper", components=[(tin, 1)])
    star = FinishedGoodFactory(name="Star")
    deluxe = PackageFactory(name="Deluxe", contents=[(hamper, 1)])
    alice = RecipientFactory(name="Alice")
    christmas = EventFactory(name="Christmas 2025", event_date=datetime.date(2025, 12, 24))
    EventRecipientPackageFactory(event=christmas, recipient=alice, package=deluxe)
    EventProductionTargetFactory(event=christmas, recipe=gingerbread)
    EventAssemblyTargetFactory(event=christmas, finished_good=star)
    christmas_run = ProductionRunFactory(event=christmas, finished_unit=cookie)
    christmas_assembly = AssemblyRunFactory(event=christmas, finished_good=box)

    eggs = IngredientFactory(name="Eggs")
    buns = RecipeFactory(name="Hot cross buns", ingredients=[(eggs, 3), (flour, 2)])
    bun = FinishedUnitFactory(name="Bun", recipe=buns)
    basket = FinishedGoodFactory(name="Basket", components=[(bun, 6)])
    easter_pack = PackageFactory(name="Easter pack", contents=[(basket, 1)])
    bob = RecipientFactory(name="Bob")
    easter = EventFactory(name="Easter 2026", event_date=datetime.date(2026, 4, 5))
    EventRecipientPackageFactory(event=easter, recipient=bob, package=easter_pack)
    EventRecipientPackageFactory(event=easter, recipient=alice, package=deluxe)
    EventProductionTargetFactory(event=easter, recipe=buns)
    EventAssemblyTargetFactory(event=easter, finished_good=basket)
    ProductionRunFactory(event=easter, finished_unit=bun)
    ProductionRunFactory(event=easter, finished_unit=cookie)
    AssemblyRunFactory(event=easter, finished_good=basket)

    rye = IngredientFactory(name="Rye")
    sourdough = RecipeFactory(name="Sourdough", ingredients=[(rye, 5)])
    loaf = FinishedUnitFactory(name="Loaf", recipe=sourdough)
    bread_box = FinishedGoodFactory(name="Bread box", components=[(loaf, 2)])
    ProductionRunFactory(standalone=True, finished_unit=loaf)
    ProductionRunFactory(standalone=True, finished_unit=cookie)
    AssemblyRunFactory(standalone=True, finished_good=bread_box)
    AssemblyRunFactory(standalone=True, finished_good=hamper)
    PackageFactory(name="Template", is_template=True, contents=[(hamper, 1), (bread_box, 1)])
    return christmas_run, christmas_assembly


def test_export_of_an_event_holds_exactly_that_event_and_everything_it_uses(two_events):
    christmas_run, christmas_assembly = two_events
    document = export_document("--event", "Christmas 2025")

    assert document["scope"] == {"events": ["Christmas 2025"]}
    assert _names(document["ingredients"]) == ["Butter", "Flour", "Molasses", "Sugar"]
    assert _names(document["recipes"]) == ["Cookies", "Gingerbread", "Shortbread"]
    assert _names(document["finished_units"]) == ["Cookie", "Shortbread finger"]
    assert _names(document["finished_goods"]) == ["Cookie box", "Hamper", "Star", "Tin"]
    assert _names(document["packages"]) == ["Deluxe"]
    assert _names(document["recipients"]) == ["Alice"]
    assert _names(document["events"]) == ["Christmas 2025"]
    for key in ("event_recipient_packages", "event_production_targets", "event_assembly_targets"):
        assert len(document[key]) == 1
        assert document[key][0]["event_name"] == "Christmas 2025"
    assert [r["uuid"] for r in document["production_runs"]] == [str(christmas_run.uuid)]
    assert [r["uuid"] for r in document["assembly_runs"]] == [str(christmas_assembly.uuid)]


def test_export_of_two_events_holds_both_and_names_them_in_the_scope(two_events):
    document = export_document("--event", "Easter 2026", "--event", "Christmas 2025")

    assert document["scope"] == {"events": ["Christmas 2025", "Easter 2026"]}
    assert _names(document["events"]) == ["Christmas 2025", "Easter 2026"]
    assert len(document["production_runs"]) == 3
    assert all(r["event_name"] is not None for r in document["production_runs"])
    assert "Rye" not in _names(document["ingredients"])
    assert _names(document["packages"]) == ["Deluxe", "Easter pack"]


def test_export_of_an_event_imports_into_an_empty_database(two_events, tmp_path):
    path = tmp_path / "christmas.json"
    call_command(
        "export_bakery",
        "--event",
        "Christmas 2025",
        "-o",
        str(path),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    exported = json.loads(path.read_text(encoding="utf-8"))
    empty_database()

    out, err = import_file(path)

    assert err == ""
    assert out.splitlines()[0] == f"Imported {path} (merge mode):"
    assert row_count() == 30
    again = export_document("--event", "Christmas 2025")
    assert without_exported_at(again) == without_exported_at(exported)


def test_export_refuses_an_unknown_event_naming_it_and_writes_nothing(two_events):
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "export_bakery",
            *("--event", "Christmas 2025", "--event", "Nowhere 2099"),
            stdout=out,
            stderr=StringIO(),
        )

    assert excinfo.value.returncode == 1
    assert out.getvalue() == ""
    assert str(excinfo.value) == "--event: no event named 'Nowhere 2099' in the database"


def _many_runs(count):
    b = build_bakery()
    ProductionRunFactory.create_batch(count, event=b.events[0], finished_unit=b.finished_units[0])
    AssemblyRunFactory.create_batch(count, event=b.events[0], finished_good=b.finished_goods[1])
    for _ in range(count // 10):
        RecipeFactory(ingredients=[(b.ingredients[0], 1), (b.ingredients[1], 2)])
    return b


# Measured: a full export reads each of the 12 sections in one query, each of the 3 nested
# lists in one more, and the names of each of the 7 sections that references point to in one
# more; an event's export first follows the references of its records. Inside the test's
# transaction, the snapshot's savepoint adds its SAVEPOINT and RELEASE queries.
FULL_EXPORT_QUERIES = 24
EVENT_EXPORT_QUERIES = 42


@pytest.mark.parametrize("runs", [20, 200])
def test_export_queries_do_not_grow_with_records(db, django_assert_max_num_queries, runs):
    _many_runs(runs)

    with django_assert_max_num_queries(FULL_EXPORT_QUERIES):
        document = export_document()

    assert len(document["production_runs"]) == runs + 5


@pytest.mark.parametrize("runs", [20, 200])
def test_event_export_queries_do_not_grow_with_records(db, django_assert_max_num_queries, runs):
    b = _many_runs(runs)

    with django_assert_max_num_queries(EVENT_EXPORT_QUERIES):
        document = export_document("--event", b.events[0].name)

    assert len(document["production_runs"]) == runs + 2


def test_export_writes_a_summary_to_stderr_and_the_document_alone_to_stdout(christmas):
    out, err = StringIO(), StringIO()
    call_command("export_bakery", "-v", "2", stdout=out, stderr=err)

    json.loads(out.getvalue())
    counts = []
    for section in SECTIONS:
        records = CHRISTMAS_DOCUMENT[section.key]
        counts.append((section.key, len(records)))
        if section.nested:
            nested = sum(len(r[section.nested.key]) for r in records)
            counts.append((f"{section.key}.{section.nested.key}", nested))
    assert err.getvalue().splitlines() == [
        f"Exported {sum(n for k, n in counts if '.' not in k)} records and "
        f"{sum(n for k, n in counts if '.' in k)} nested lines to standard output.",
        *(f"  {key}: {count}" for key, count in counts),
    ]


def test_export_at_verbosity_zero_says_nothing(christmas):
    err = StringIO()
    call_command("export_bakery", "-v", "0", stdout=StringIO(), stderr=err)

    assert err.getvalue() == ""


def test_export_of_an_empty_database_has_every_section_empty(db):
    document = export_document()

    assert all(document[section.key] == [] for section in SECTIONS)


def test_yield_modes_in_the_document_are_the_model_choices(christmas):
    modes = {u["yield_mode"] for u in export_document()["finished_units"]}

    assert modes == set(YieldMode.values)


def test_export_of_an_event_named_in_another_unicode_form_finds_it(two_events):
    Event.objects.filter(name="Christmas 2025").update(name="Noël 2025")

    document = export_document("--event", "Noe\u0308l 2025")

    assert document["scope"] == {"events": ["Noël 2025"]}
    assert [e["name"] for e in document["events"]] == ["Noël 2025"]
