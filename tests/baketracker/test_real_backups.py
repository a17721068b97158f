"""Real backups from bake-tracker's repository (tests/baketracker/real/README.md)."""

from decimal import Decimal
from pathlib import Path

from bakery.models import Event, Recipe, RecipeIngredient, Recipient
from tests.helpers import run_import

REAL = Path(__file__).parent / "real"


def test_an_empty_real_backup_imports(db):
    out = run_import(str(REAL / "bake-tracker-backup-2025-12-20.json"))
    assert out.returncode == 0, out.stdout
    assert "From a bake-tracker backup (version 3.4):" in out.stdout


def test_a_real_backup_imports_keeping_a_repeated_ingredient_in_words(db):
    # The app let a recipe hold an orange twice (juice and peel); here a recipe holds an
    # ingredient once: the second line is kept in the first one's notes, and said.
    out = run_import(str(REAL / "bake-tracker-backup-2025-12-27-trimmed.json"))

    assert out.returncode == 0, out.stderr
    assert Recipe.objects.count() == 4
    assert Recipient.objects.count() == 3
    assert Event.objects.get().name == "Christmas 2026"
    assert "  suppliers: 2 records\n" in out.stdout
    orange = RecipeIngredient.objects.get(
        recipe__name="Individual Orange and Poppy Seed Pound Cake", ingredient__name="Orange, whole"
    )
    assert (orange.quantity, orange.unit) == (Decimal("0.5"), "cup")
    assert orange.notes == "juice from fresh oranges; also 1.0 tbsp (grated peel)"
    assert (
        "  recipes.ingredients: a repeated ingredient's line kept in the notes of its first "
        "line: 1\n" in out.stdout
    )
