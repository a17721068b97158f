"""The default layout (a record a line) and the progress bars on a terminal."""

import json
from io import StringIO

from django.core.management import call_command

from bakery.models import Recipe
from exchange.progress import shows_progress


class Terminal(StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


def test_default_layout_writes_each_record_on_a_line_of_its_own(bakery):
    out = StringIO()
    call_command("export_bakery", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    recipes = lines.index('  "recipes": [')
    for offset, recipe in enumerate(Recipe.objects.order_by("name"), start=1):
        record = json.loads(lines[recipes + offset].strip().rstrip(","))
        assert record["name"] == recipe.name
        assert len(record["ingredients"]) == recipe.ingredients.count()
    assert json.loads(out.getvalue())["recipes"][0]["name"] == lines[recipes + 1].split('"')[3]


def test_progress_is_shown_only_on_a_terminal_and_not_at_verbosity_0():
    assert shows_progress(Terminal(), 1)
    assert not shows_progress(Terminal(), 0)
    assert not shows_progress(StringIO(), 1)


def test_export_and_import_draw_section_bars_on_a_terminal(bakery, tmp_path):
    path = tmp_path / "bakery.json"
    err = Terminal()
    call_command("export_bakery", output=str(path), stderr=err)
    assert "production_runs" in err.getvalue()
    assert "records" in err.getvalue()
    err = Terminal()
    call_command("import_bakery", str(path), stdout=StringIO(), stderr=err)
    assert "assembly_runs" in err.getvalue()


def test_no_bar_is_drawn_when_stderr_is_not_a_terminal(bakery, tmp_path):
    err = StringIO()
    call_command("export_bakery", output=str(tmp_path / "b.json"), stderr=err)
    assert err.getvalue() == f"Exported 37 records and 10 nested lines to {tmp_path / 'b.json'}.\n"
