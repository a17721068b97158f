"""compare_bakery: same data whatever the export time, or the first difference."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.helpers import document_records


@pytest.fixture
def exported(bakery, tmp_path):
    """A full export of the factory bakery, as a path."""
    path = tmp_path / "a.json"
    call_command("export_bakery", output=str(path), stderr=StringIO())
    return path


def test_compare_reports_identical_documents_exported_at_different_times(exported, tmp_path):
    document = json.loads(exported.read_text())
    document["exported_at"] = "2020-01-01T00:00:00Z"
    other = tmp_path / "b.json.gz"
    other.write_bytes(gzip.compress(json.dumps(document, indent=None).encode()))
    out = StringIO()
    call_command("compare_bakery", str(exported), str(other), stdout=out)
    records = document_records(document)
    assert out.getvalue() == (
        f"The documents are identical: {records} records (exported_at aside).\n"
    )


def test_compare_names_the_first_differing_record(exported, tmp_path):
    document = json.loads(exported.read_text())
    document["recipes"][1]["notes"] = "changed"
    other = tmp_path / "b.json"
    other.write_text(json.dumps(document))
    with pytest.raises(CommandError) as error:
        call_command("compare_bakery", str(exported), str(other))
    assert error.value.returncode == 1
    assert str(error.value).startswith("The documents differ at recipes[1]:")
