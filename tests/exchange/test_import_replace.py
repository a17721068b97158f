"""Replace mode: within the document's scope, saying what it deletes, and asking first.

A file exported with --event holds one event: replacing with it must keep every other event
(it once deleted all 102 records of the demo bakery), set its catalog records as update does,
and say, before anything is deleted, what will be.
"""

import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bakery.models import Event, EventRecipientPackage, Recipe
from production.models import (
    AssemblyRun,
    EventAssemblyTarget,
    EventProductionTarget,
    ProductionRun,
)
from tests.factories import EventFactory, ProductionRunFactory, RecipeFactory
from tests.helpers import export_document, import_file, run_import, snapshot

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Standard input typed at a terminal: the answers to the questions asked."""

    def isatty(self):
        return True


def write(path, document) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def rows_of(*querysets) -> list:
    return [sorted(map(str, qs.values_list(flat=False))) for qs in querysets]


@pytest.fixture
def scoped(bakery, tmp_path):
    """The first event's document, and what the bakery holds outside it."""
    kept, replaced = bakery.events[1], bakery.events[0]
    document = export_document("--event", replaced.name)
    outside = [
        Event.objects.filter(pk=kept.pk),
        EventProductionTarget.objects.filter(event=kept),
        # By name: the replaced event is made again, with another id.
        ProductionRun.objects.exclude(event__name=replaced.name),
    ]
    return write(tmp_path / "one-event.json", document), document, replaced, kept, outside


def test_replace_with_an_event_scoped_file_keeps_every_other_event(scoped):
    path, document, replaced, kept, outside = scoped
    before_outside = rows_of(*outside)
    # Changes the replace must undo inside its scope, and records outside it that it keeps.
    ProductionRunFactory(
        event=replaced, finished_unit=replaced.production_runs.first().finished_unit
    )
    EventProductionTarget.objects.filter(event=replaced).update(target_batches=99)
    lonely = RecipeFactory(name="Not in the file")

    out, err = import_file(path, "--mode", "replace", "--noinput")

    assert err == ""
    assert rows_of(*outside) == before_outside
    assert Recipe.objects.filter(pk=lonely.pk).exists()
    after = export_document("--event", replaced.name)
    for key in ("events", "event_production_targets", "production_runs", "assembly_runs"):
        assert after[key] == document[key], key
    assert Event.objects.filter(pk=kept.pk).exists()


def test_an_event_scoped_replace_sets_its_catalog_records_as_update_does(scoped):
    path, document, *_ = scoped
    recipe = document["recipes"][0]
    recipe["notes"] = "From the trimmed file"
    Recipe.objects.filter(name=recipe["name"]).update(source="Kept: not in the record")
    document["recipes"][0] = {k: v for k, v in recipe.items() if k != "source"}
    path = write(Path(path), document)

    import_file(path, "--mode", "replace", "--noinput")

    saved = Recipe.objects.get(name=recipe["name"])
    assert (saved.notes, saved.source) == ("From the trimmed file", "Kept: not in the record")


def test_the_dry_run_of_a_scoped_replace_lists_what_it_deletes(scoped):
    path, document, replaced, *_ = scoped
    before = snapshot()
    runs = sorted(str(u) for u in replaced.production_runs.values_list("uuid", flat=True))

    out, _ = import_file(path, "--mode", "replace", "--dry-run")

    assert snapshot() == before
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Replace mode deletes")))
    deleted = lines[start : start + 7]
    targets = EventProductionTarget.objects.filter(event=replaced).order_by("recipe__name")
    records = sum(
        model.objects.filter(event=replaced).count()
        for model in (
            EventProductionTarget,
            EventAssemblyTarget,
            EventRecipientPackage,
            ProductionRun,
            AssemblyRun,
        )
    )
    assert deleted[0] == f"Replace mode deletes first: {records + 1} records and 0 nested lines."
    assert deleted[1] == f"  1 events: {replaced.name}"
    assert f"  2 event_production_targets: {replaced.name} / {targets[0].recipe.name}, " in (
        "\n".join(deleted) + ", "
    )
    assert f"  {len(runs)} production_runs: {', '.join(runs)}" in deleted


def test_a_full_replace_lists_every_section_with_its_first_20_keys(bakery, tmp_path):
    for n in range(25):
        EventFactory(name=f"Event {n:02}")
    path = write(tmp_path / "all.json", export_document())

    out, _ = import_file(path, "--mode", "replace", "--dry-run")

    lines = out.splitlines()
    events = next(line for line in lines if line.startswith("  27 events: "))
    names = sorted(Event.objects.values_list("name", flat=True))
    assert events == f"  27 events: {', '.join(names[:20])}, …"
    assert any(line.startswith("  ") and "recipes.ingredients" in line for line in lines)


def test_replace_without_a_terminal_or_noinput_deletes_nothing_and_exits_2(bakery, tmp_path):
    path = write(tmp_path / "all.json", export_document())
    before = snapshot()

    outcome = run_import(path, "--mode", "replace")

    assert outcome.returncode == 2
    assert outcome.message == (
        "replace mode deletes records and asks first, but there is no terminal to ask on: add "
        "--noinput to replace without asking (see what it deletes with --dry-run); nothing was "
        "written"
    )
    assert snapshot() == before


@pytest.mark.parametrize("answer", ["no", "", "y", "YES please"])
def test_replace_on_a_terminal_lists_what_it_deletes_and_stops_unless_told_yes(
    bakery, tmp_path, monkeypatch, answer
):
    path = write(tmp_path / "all.json", export_document())
    monkeypatch.setattr("sys.stdin", Terminal(answer + "\n"))
    before = snapshot()
    out = StringIO()

    with pytest.raises(CommandError) as cancelled:
        call_command("import_bakery", path, "--mode", "replace", stdout=out, stderr=StringIO())

    assert (cancelled.value.returncode, str(cancelled.value)) == (
        1,
        "Import cancelled; nothing was written.",
    )
    assert out.getvalue().startswith("Replace mode deletes first: ")
    assert snapshot() == before


@pytest.mark.parametrize("flag", [None, "--noinput", "--no-input"])
def test_replace_goes_ahead_when_told_yes_or_noinput(bakery, tmp_path, monkeypatch, flag):
    path = write(tmp_path / "all.json", export_document())
    Recipe.objects.create(name="Not in the file", yield_quantity=1)
    monkeypatch.setattr("sys.stdin", Terminal("yes\n" if flag is None else ""))
    out = StringIO()

    call_command(
        "import_bakery",
        path,
        "--mode",
        "replace",
        *([flag] if flag else []),
        stdout=out,
        stderr=StringIO(),
    )

    assert not Recipe.objects.filter(name="Not in the file").exists()
    assert f"Imported {path} (replace mode):" in out.getvalue()
