"""Terminal manners: plain progress bars, a quiet end on a closed pipe, known output
extensions, help for every positional argument."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.core.management.base import OutputWrapper
from django.core.management.color import color_style

from exchange.management.commands.export_bakery import Command as ExportCommand
from exchange.progress import SectionProgress
from tests.commands.test_options import PROJECT_COMMANDS
from tests.helpers import export_document, without_exported_at
from tests.processes.databases import MANAGE, SQLiteDatabase, check, manage

ESCAPE = "\x1b["
KNOWN = (
    "must be '-' for standard output or a path ending in .json, or in .gz, .bz2, .xz or .zip "
    "to compress the document"
)


class Terminal(StringIO):
    """A stream that says it is a terminal."""

    def isatty(self):
        return True


def error_coloured(stream) -> OutputWrapper:
    """Wrap a stream as Django wraps a command's stderr on a terminal that shows colours."""
    wrapper = OutputWrapper(stream)
    wrapper.style_func = color_style(force_color=True).ERROR
    assert ESCAPE in wrapper.style_func("an error")
    return wrapper


def test_section_bars_are_drawn_without_the_error_colour():
    terminal = Terminal()
    progress = SectionProgress(error_coloured(terminal))

    for _ in progress.wrap("recipes", [[1, 2], [3]], 3):
        pass
    progress.close()

    assert "recipes" in terminal.getvalue()
    assert ESCAPE not in terminal.getvalue()


def test_export_on_a_colour_terminal_draws_its_bars_plain(bakery, tmp_path):
    terminal = Terminal()
    # As from the shell: the command's own stderr, coloured because it is a terminal.
    command = ExportCommand(stderr=terminal, force_color=True)
    assert ESCAPE in command.stderr.style_func("an error")

    call_command(command, output=str(tmp_path / "bakery.json"))

    # The summary line after the bars is a message of the command's, styled as its stderr.
    colour = command.stderr.style_func("Exported ").partition("Exported ")[0]
    summary_start = colour + "Exported "
    bars, found, _ = terminal.getvalue().partition(summary_start)
    assert found
    assert "production_runs" in bars and "records" in bars
    assert ESCAPE not in bars


def test_export_to_a_closed_pipe_in_process_ends_quietly_and_closes_its_snapshot(bakery):
    class ClosedPipe(StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    err = StringIO()

    call_command("export_bakery", stdout=ClosedPipe(), stderr=err)

    assert err.getvalue() == ""
    # The snapshot was left: the next export takes one of its own and completes.
    assert export_document()["format"] == "bakery-exchange"


@pytest.mark.slow
def test_export_piped_into_a_reader_that_stops_ends_quietly_with_status_0(tmp_path):
    database = SQLiteDatabase(tmp_path / "bakery.sqlite3")
    check(manage(database.url, "migrate", "--noinput"))
    # About 1.3 MB of document: far more than a pipe holds (64 KiB) once the reader is gone.
    check(manage(database.url, "generate_bakery", "--runs", "500"))
    errors = tmp_path / "stderr"

    with errors.open("wb") as stderr:
        export = subprocess.Popen(
            [sys.executable, MANAGE, "export_bakery"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, "DATABASE_URL": database.url},
            cwd=settings.BASE_DIR,
        )
        head = export.stdout.read(100)
        export.stdout.close()
        returncode = export.wait(timeout=300)

    assert head.startswith(b"{")
    assert (returncode, errors.read_bytes()) == (0, b"")


@pytest.mark.parametrize(
    "name", ["all.csv", "bakery", "bakery.json.bak", "bakery.tar", "Christmas 2025"]
)
def test_export_to_an_unknown_extension_is_a_usage_error_naming_the_known_ones(db, tmp_path, name):
    path = tmp_path / name
    out = StringIO()

    for call in (("-o", str(path)), ("--output", str(path))):
        with pytest.raises(CommandError) as refused:
            call_command("export_bakery", *call, stdout=out, stderr=StringIO())
        assert refused.value.returncode == 2
        assert str(refused.value) == f"Error: argument --output/-o: {KNOWN}; got {str(path)!r}"
    # A keyword argument skips argparse; the command checks it all the same.
    with pytest.raises(CommandError) as refused:
        call_command("export_bakery", output=str(path), stdout=out, stderr=StringIO())
    assert refused.value.returncode == 2
    assert str(refused.value) == f"Error: argument --output/-o: {KNOWN}; got {str(path)!r}"
    assert out.getvalue() == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["bakery.json", "bakery.JSON", "bakery.json.XZ", "bakery.gz"])
def test_export_takes_json_and_the_compressed_extensions_in_any_case(bakery, tmp_path, name):
    path = tmp_path / name

    call_command("export_bakery", "-o", str(path), stderr=StringIO())

    assert path.stat().st_size > 0


def test_export_to_standard_output_by_dash_is_not_an_extension(bakery):
    # The same document, written a moment apart: exported_at may differ by a second.
    assert without_exported_at(export_document("-o", "-")) == without_exported_at(export_document())


def test_unknown_extension_from_the_shell_shows_the_usage_and_exits_2(tmp_path):
    path = tmp_path / "all.csv"

    done = subprocess.run(
        [sys.executable, MANAGE, "export_bakery", "-o", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        cwd=settings.BASE_DIR,
        timeout=120,
    )

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("usage: manage.py export_bakery [-h] [--output PATH]")
    assert lines[-1] == (
        f"manage.py export_bakery: error: argument --output/-o: {KNOWN}; got {str(path)!r}"
    )
    assert done.stdout == ""
    assert not path.exists()


@pytest.mark.parametrize("name", PROJECT_COMMANDS)
def test_every_positional_argument_has_help(name):
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)

    positionals = [action for action in parser._actions if not action.option_strings]
    without_help = [action.dest for action in positionals if not (action.help or "").strip()]

    assert without_help == []
