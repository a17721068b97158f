"""A backup imported, exported in our format, imported into an empty database: the same."""

import json

import pytest

from tests.baketracker.backups import SHAPES, backup, write
from tests.helpers import (
    empty_database,
    export_document,
    import_file,
    run_import,
    snapshot,
    without_exported_at,
)


@pytest.mark.parametrize("version", list(SHAPES))
def test_backup_import_export_import_is_identical(db, tmp_path, version):
    assert run_import(write(tmp_path, backup(version))).returncode == 0
    first = export_document()
    rows = snapshot(ids=False)
    path = tmp_path / "bakery.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    empty_database()
    import_file(path)
    assert snapshot(ids=False) == rows
    assert without_exported_at(export_document()) == without_exported_at(first)
