"""Real backups from bake-tracker's repository (tests/baketracker/real/README.md)."""

import json
from pathlib import Path

from bakery.models import Event, Recipe, Recipient
from tests.baketracker.backups import write
from tests.helpers import row_count, run_import

REAL = Path(__file__).parent / "real"


def test_an_empty_real_backup_imports(db):
    out = run_import(str(REAL / "bake-tracker-backup-2025-12-20.json"))
    assert out.returncode == 0, out.stdout
    assert "From a bake-tracker backup (version 3.4):" in out.stdout


def test_a_real_backup_is_refused_only_for_its_repeated_ingredient(db):
    out = run_import(str(REAL / "bake-tracker-backup-2025-12-27-trimmed.json"))
    assert out.returncode == 1, out.stdout
    assert out.lines == [
        "recipes[3].ingredients[7]: 'Orange, whole' appears twice in this list, first at "
        "recipes[3].ingredients[6]"
    ]
    assert row_count() == 0


def test_a_real_backup_without_that_recipe_imports(db, tmp_path):
    document = json.loads((REAL / "bake-tracker-backup-2025-12-27-trimmed.json").read_text())
    del document["recipes"][3]
    out = run_import(write(tmp_path, document))
    assert out.returncode == 0, out.stdout
    assert Recipe.objects.count() == 3
    assert Recipient.objects.count() == 3
    assert Event.objects.get().name == "Christmas 2026"
    assert "  suppliers: 2 records\n" in out.stdout
