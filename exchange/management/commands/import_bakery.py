"""Load an exchange document into the bakery, checked first, in one transaction."""

import argparse
import functools
import math
import sys

from django.core.management.base import CommandError
from django.db import DatabaseError

from bakery.management.base import ProjectCommand
from exchange.baketracker import import_any  # reads a bake-tracker backup too
from exchange.errors import ExchangeError
from exchange.importer import DEFAULT_ERROR_LIMIT, MODES
from exchange.progress import SectionProgress, shows_progress
from exchange.results import COLUMNS, deletion_lines, file_phrase, totals
from exchange.streams import DEFAULT_MAX_SIZE, Source

UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def size(text: str) -> int:
    """Parse a size such as 500M or 2G: at least one byte."""
    cleaned = text.strip().lower().removesuffix("b").removesuffix("i")
    unit = cleaned[-1:] if cleaned[-1:] in UNITS else ""
    try:
        number = float(cleaned[: len(cleaned) - len(unit)]) * UNITS[unit]
    except ValueError:
        raise ValueError(f"not a size: {text!r}") from None
    if not math.isfinite(number) or number < 1:
        raise argparse.ArgumentTypeError(f"must be a size of at least 1 byte, got {text!r}")
    return int(number)


def add_max_size(parser):
    """Add --max-size, the limit of a document's size once decompressed."""
    parser.add_argument(
        "--max-size",
        type=size,
        default=DEFAULT_MAX_SIZE,
        metavar="SIZE",
        help="Refuse a document larger than this once decompressed (default 4G).",
    )


def at_least_one(text: str) -> int:
    """Parse a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return number


NO_TERMINAL = (
    "replace mode deletes records and asks first, but there is no terminal to ask on: add "
    "--noinput to replace without asking (see what it deletes with --dry-run); nothing was "
    "written"
)


def _terminal(stream) -> bool:
    return stream is not None and not stream.closed and stream.isatty()


class Command(ProjectCommand):
    help = (
        "Import a bakery exchange document. Every check runs before anything is written, "
        "every problem is reported with its place, and the import is one transaction. "
        "Exit status: 0 imported, 1 refused (nothing written), 2 usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The document; .gz, .bz2, .xz, .zip or '-' for stdin.")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default="merge",
            help="merge (default): keep existing records; update: set the fields each "
            "record gives; replace: delete the document's scope first (every record, or its "
            "events and theirs), asking on a terminal.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Replace without asking first (needed where there is no terminal to ask on).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do every check and report what would happen, then roll back.",
        )
        add_max_size(parser)
        parser.add_argument(
            "--error-limit",
            type=at_least_one,
            default=DEFAULT_ERROR_LIMIT,
            metavar="N",
            help=f"Report at most N problems, then count the rest (default {DEFAULT_ERROR_LIMIT}).",
        )

    def handle(
        self, *args, path, mode, dry_run, max_size, error_limit, verbosity, interactive, **options
    ):
        asks = mode == "replace" and interactive and not dry_run
        if asks and (path == "-" or not _terminal(sys.stdin)):
            raise CommandError(NO_TERMINAL, returncode=2)
        progress = SectionProgress(self.stderr) if shows_progress(self.stderr, verbosity) else None
        try:
            source = Source(path, max_size=max_size)
            try:
                run = functools.partial(
                    import_any,
                    source,
                    mode=mode,
                    error_limit=error_limit,
                    progress=progress and progress.update,
                )
                # Asked after every check: a file that would be refused asks nothing.
                if asks and not self.confirmed(run(dry_run=True)):
                    raise CommandError("Import cancelled; nothing was written.", returncode=1)
                result = run(dry_run=dry_run)
            finally:
                source.close()
                if progress:
                    progress.close()
        except ExchangeError as exc:
            if exc.status == 2:
                raise CommandError(str(exc), returncode=2) from None
            if not exc.in_document:
                raise CommandError(f"{exc}; nothing was written.", returncode=1) from None
            for line in str(exc).splitlines():
                self.stderr.write(line)
            raise CommandError(
                f"Import refused: {exc.total} problem{'s' if exc.total != 1 else ''} in "
                f"{Source.name_of(path)}; nothing was written.",
                returncode=1,
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"The database refused the import ({exc}); nothing was written.", returncode=1
            ) from None
        if verbosity >= 1:
            for warning in result.warnings:
                self.stderr.write(f"warning: {warning}")
            if result.warnings_total > len(result.warnings):
                self.stderr.write(
                    f"warning: and {result.warnings_total - len(result.warnings)} more"
                )
            self.stdout.write(self.summary(source.name, result))
        if verbosity >= 2:
            for line in self.changes(result):
                self.stdout.write(line)
            for line in self.timings(result):
                self.stderr.write(line)

    def confirmed(self, preview) -> bool:
        """Show what the replace deletes and ask for yes, as Django's flush does."""
        for line in deletion_lines(preview.deletions):
            self.stdout.write(line)
        answer = input("Type 'yes' to delete them and import, or 'no' to cancel: ")
        return answer.strip().lower() == "yes"

    @staticmethod
    def summary(name, result) -> str:
        """Return the table of what the import did (or would do) per section."""
        header = ("section", *COLUMNS)
        rows = [(key, *r.counts) for key, r in result.sections.items() if r.total]
        lines = [
            f"{'Dry run of' if result.dry_run else 'Imported'} {name} ({result.mode} mode):",
        ]
        if result.mode == "replace":
            lines.extend(deletion_lines(result.deletions))
        lines.extend(_table([header, *rows, ("total", *totals(result))]))
        lines.append(file_phrase(result))
        if result.dry_run:
            lines.append("Dry run: nothing was written.")
        # A bake-tracker backup's report: what has no home here, what was inferred.
        lines.extend(result.report)
        return "\n".join(lines)

    @staticmethod
    def changes(result) -> list[str]:
        """Return the existing records the file changes, field by field (verbosity 2): the
        changes the admin's preview shows, from the same computation."""
        if not result.changes:
            return []
        if result.mode == "merge":
            title = "Existing records that differ from the file (merge leaves them):"
        else:
            title = f"Existing records {'that would change' if result.dry_run else 'changed'}:"
        lines = [title]
        for change in result.changes:
            lines.append(f"  {change.location} {change.record}")
            lines.extend(f"      {field}: {old} → {new}" for field, old, new in change.fields)
        if result.changes_total > len(result.changes):
            lines.append(f"  and {result.changes_total - len(result.changes)} more")
        return lines

    @staticmethod
    def timings(result) -> list[str]:
        """Return where the import's time went, section by section (verbosity 2)."""
        header = ("section", "records", "read s", "write s", "us/record")
        rows = [
            (
                key,
                r.total,
                f"{r.read_seconds:.3f}",
                f"{r.write_seconds:.3f}",
                f"{(r.read_seconds + r.write_seconds) / r.total * 1e6:.1f}",
            )
            for key, r in result.sections.items()
            if r.total
        ]
        return [
            "Time per section (reading and checking each record, then writing it):",
            *_table([header, *rows]),
            "Checks between records (references, duplicates, cycles): "
            f"{result.between_seconds:.3f} s",
        ]


def _table(rows) -> list[str]:
    """Return rows as lines: the first column to the left, the others to the right."""
    width = max(len(row[0]) for row in rows)
    return [f"{row[0]:<{width}}  " + "  ".join(f"{v:>9}" for v in row[1:]) for row in rows]
