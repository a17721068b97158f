"""Values the format gives a meaning beyond their text: plain examples, on both databases."""

import datetime
import json

import pytest

from bakery.models import Event, EventRecipientPackage, Package
from production.models import AssemblyRun, ProductionRun
from production.services import event_progress
from tests.helpers import NAMES, export_document, minimal_document, run_import, write_document

pytestmark = pytest.mark.django_db

RUNS = {"production_runs": ProductionRun, "assembly_runs": AssemblyRun}


def imported(tmp_path, document):
    outcome = run_import(write_document(tmp_path, document))
    assert outcome.returncode == 0, outcome.stderr + outcome.message


def test_a_run_with_an_empty_event_name_is_standalone_and_counts_for_no_event(tmp_path):
    document = minimal_document()
    for key in RUNS:
        document[key][0]["event_name"] = ""

    imported(tmp_path, document)

    for model in RUNS.values():
        assert model.objects.get().event is None
    progress = event_progress(Event.objects.get(name=NAMES["events"]))
    assert [p.produced_batches for p in progress.production] == [0]
    assert [a.assembled_quantity for a in progress.assembly] == [0]
    exported = export_document()
    assert [exported[key][0]["event_name"] for key in RUNS] == [None, None]


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2025-12-15T10:00:00+05:30", "2025-12-15T04:30:00Z"),
        ("2025-12-15T10:00:00-03:00", "2025-12-15T13:00:00Z"),
        # PostgreSQL itself takes offsets up to 15:59 only.
        ("2025-12-15T10:00:00+23:30", "2025-12-14T10:30:00Z"),
    ],
)
def test_a_time_with_an_offset_is_stored_and_exported_as_the_same_instant_in_utc(
    tmp_path, written, utc
):
    document = minimal_document()
    document["production_runs"][0]["produced_at"] = written
    document["assembly_runs"][0]["assembled_at"] = written

    imported(tmp_path, document)

    instant = datetime.datetime.fromisoformat(written)
    assert ProductionRun.objects.get().produced_at == instant
    assert AssemblyRun.objects.get().assembled_at == instant
    exported = export_document()
    assert exported["production_runs"][0]["produced_at"] == utc
    assert exported["assembly_runs"][0]["assembled_at"] == utc


def test_a_decimal_written_as_a_json_number_is_read_from_its_text_not_as_a_float(tmp_path):
    # As a float this would be 0.133, which fits four places.
    text = json.dumps(minimal_document(), indent=2).replace(
        '"per_unit_cost": "2.5000"', '"per_unit_cost": 0.13300000000000000001', 1
    )
    outcome = run_import(write_document(tmp_path, text))

    assert outcome.returncode == 1
    assert outcome.lines == [
        "production_runs[0].per_unit_cost: must have at most 4 decimal places, "
        "got 0.13300000000000000001"
    ]


def test_an_optional_field_missing_or_null_takes_the_model_s_default(tmp_path):
    document = minimal_document()
    del document["packages"][0]["is_template"]
    del document["event_recipient_packages"][0]["quantity"]
    document["event_recipient_packages"][0]["fulfillment_status"] = None
    document["production_runs"][0]["notes"] = None

    imported(tmp_path, document)

    assert Package.objects.get().is_template is False
    assignment = EventRecipientPackage.objects.get()
    assert (assignment.quantity, assignment.fulfillment_status) == (1, "pending")
    assert ProductionRun.objects.get().notes == ""
