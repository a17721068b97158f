"""Write the bakery's data as an exchange document."""

import argparse
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from bakery.management.base import ProjectCommand
from exchange.counts import count_phrase
from exchange.errors import ExchangeError
from exchange.exporter import export_document
from exchange.format_schema import schema_text
from exchange.jsontext import RECORD_LINES
from exchange.progress import RawText, SectionProgress, shows_progress
from exchange.scope import event_scope
from exchange.snapshot import snapshot
from exchange.streams import COMPRESSIONS, atomic_output

# The widest indent a document is written with: wider ones only make it larger.
MAX_INDENT = 16


def indent_width(text: str) -> int:
    """Parse --indent: 0 to MAX_INDENT spaces, or a negative number for one line."""
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or number > MAX_INDENT:
        raise argparse.ArgumentTypeError(
            f"must be a number of spaces from 0 to {MAX_INDENT}, or -1 for one line; got {text!r}"
        )
    return number


# The endings an output path may have: a plain document, or one compressed by its suffix.
OUTPUT_SUFFIXES = (".json", *COMPRESSIONS)
COMPRESSED = f"{', '.join(COMPRESSIONS[:-1])} or {COMPRESSIONS[-1]}"
OUTPUT_EXPECTED = (
    f"must be '-' for standard output or a path ending in .json, or in {COMPRESSED} to "
    "compress the document"
)


def output_path(text: str) -> str:
    """Parse --output: '-', or a path whose suffix says how the document is written.

    A path of an existing directory is let through, to be refused as one when it is written.
    """
    if text == "-" or os.path.isdir(text) or Path(text).suffix.lower() in OUTPUT_SUFFIXES:
        return text
    raise argparse.ArgumentTypeError(f"{OUTPUT_EXPECTED}; got {text!r}")


def quiet_stdout(stream):
    """Send what is left for a closed pipe to /dev/null, so that exiting says nothing.

    Python flushes standard output as it exits, and a flush into a pipe whose reader is gone
    prints "Exception ignored ... BrokenPipeError"; the stream is pointed at /dev/null instead.
    """
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        # Not a file (a test's stream): nothing is flushed into the pipe at exit.
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fileno)
    finally:
        os.close(devnull)


class Command(ProjectCommand):
    help = (
        "Write every bakery and production record as a bakery exchange document (JSON with "
        "natural keys). A path ending in .gz, .bz2, .xz or .zip is compressed; '-' is "
        "standard output. A file is written beside its target and renamed when complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default="-",
            type=output_path,
            metavar="PATH",
            help=f"Where to write the document: a .json path, compressed if it ends in "
            f"{COMPRESSED}; '-' (the default) is standard output.",
        )
        parser.add_argument(
            "--indent",
            type=indent_width,
            default=None,
            metavar="N",
            help=f"Indent the whole document by N spaces (0 to {MAX_INDENT}), as json.dumps "
            "does; a negative N writes one line. By default each record is written on one "
            "line of its own.",
        )
        parser.add_argument(
            "--schema",
            action="store_true",
            help="Write the format's JSON Schema (docs/bakery-exchange-v1.schema.json) "
            "instead of the data.",
        )
        parser.add_argument(
            "--event",
            action="append",
            dest="events",
            default=[],
            metavar="NAME",
            help="Export only this event and everything it uses (repeatable).",
        )

    def interrupted(self, options) -> str:
        output = options["output"]
        if output == "-":
            return "the document on standard output is incomplete"
        # The rename that makes the export final is never interrupted: the path is as it was.
        if os.path.lexists(output):
            return f"the existing {output} is unchanged"
        return f"{output} was not written"

    def handle(self, *args, output, indent, events, verbosity, schema, **options):
        if schema:
            self.stdout.write(schema_text(), ending="")
            return
        try:
            # Checked again for call_command(output=...), which argparse never sees.
            output_path(output)
        except argparse.ArgumentTypeError as exc:
            raise CommandError(f"Error: argument --output/-o: {exc}", returncode=2) from None
        progress = SectionProgress(self.stderr) if shows_progress(self.stderr, verbosity) else None
        try:
            # The scope is read in the export's snapshot, so a run added meanwhile cannot bring
            # in a record its references were not followed for.
            with snapshot():
                scope = event_scope(events) if events else None
                if indent is None:
                    indent = RECORD_LINES
                elif indent < 0:
                    indent = None
                with atomic_output(output, stdout=RawText(self.stdout)) as out:
                    counts = export_document(
                        out, scope=scope, indent=indent, progress=progress and progress.wrap
                    )
        except ExchangeError as exc:
            raise CommandError(str(exc), returncode=exc.status) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError) and output == "-":
                # The reader of standard output is gone (export_bakery | head): it has what
                # it wanted, so the export ends quietly with status 0, its snapshot closed.
                quiet_stdout(getattr(self.stdout, "_out", sys.stdout))
                return
            raise CommandError(
                f"cannot write {output}: {exc.strerror or exc}", returncode=2
            ) from None
        except DatabaseError as exc:
            # The connection lost, the server shut down, a statement timeout: a file in place
            # is left as it was, and a document on standard output is cut short.
            left = (
                "the document on standard output is incomplete"
                if output == "-"
                else f"{output} was left as it was"
            )
            raise CommandError(
                f"The database failed during the export ({str(exc).strip()}); {left}.",
                returncode=1,
            ) from None
        finally:
            if progress:
                progress.close()
        if verbosity >= 1:
            where = "standard output" if output == "-" else output
            lines = sum(n for key, n in counts.items() if "." in key)
            records = sum(counts.values()) - lines
            self.stderr.write(f"Exported {count_phrase(records, lines)} to {where}.")
            if verbosity >= 2:
                for key, count in counts.items():
                    self.stderr.write(f"  {key}: {count}")
