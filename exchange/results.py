"""What an import did, or would do: per section, the changes it makes, and their totals.

The command's table and the admin's pages show the same results.
"""

from dataclasses import dataclass, field

from .counts import count_phrase
from .errors import Problem

# What happened to each record of a section, in the order SectionResult.counts gives them.
COLUMNS = ("created", "updated", "unchanged", "skipped")


@dataclass(frozen=True)
class Change:
    """What an import changes in an existing record: (field, old, new) as the file shows them.

    applied is False for a merge, which leaves the record as it is.
    """

    location: str
    record: str
    fields: tuple[tuple[str, str, str], ...]
    applied: bool


@dataclass
class SectionResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    # Seconds spent reading and checking the section's records one by one, and writing them.
    read_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def counts(self) -> tuple[int, int, int, int]:
        """Return the records created, updated, unchanged and skipped (COLUMNS)."""
        return (self.created, self.updated, self.unchanged, self.skipped)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Deletion:
    """What a replace deletes of one section (or of one nested list): how many records, and
    the natural keys of the first of them."""

    section: str
    count: int
    first: tuple[str, ...]


@dataclass
class ImportResult:
    mode: str
    dry_run: bool
    sections: dict[str, SectionResult] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    warnings_total: int = 0
    deleted: int = 0
    # The nested lines of the file's records (a recipe's ingredients, ...), given or not.
    lines: int = 0
    # What replace mode deletes (or, in a dry run, would delete), per section, and the events
    # it is limited to (None for every record).
    deletions: list[Deletion] = field(default_factory=list)
    scope: list[str] | None = None
    # Existing records the file changes (update) or would change (merge leaves them).
    changes: list = field(default_factory=list)
    changes_total: int = 0
    # Seconds spent on the checks between records (references, duplicates, cycles).
    between_seconds: float = 0.0
    # Lines shown after the table: what a translated document (exchange.baketracker) did not
    # import, and what it inferred.
    report: list[str] = field(default_factory=list)


def file_phrase(result: ImportResult) -> str:
    """Say what the file holds, in the project's one way of counting."""
    return f"The file holds {count_phrase(sum(totals(result)), result.lines)}."


def totals(result: ImportResult) -> tuple[int, int, int, int]:
    """Return the records created, updated, unchanged and skipped over every section."""
    counts = [r.counts for r in result.sections.values()]
    return tuple(sum(r[i] for r in counts) for i in range(len(COLUMNS)))


def deletion_lines(deletions: list[Deletion]) -> list[str]:
    """Return what a replace deletes as lines: the total, then per section the count and the
    natural keys of the first records."""
    records = sum(d.count for d in deletions if "." not in d.section)
    lines = sum(d.count for d in deletions if "." in d.section)
    shown = [f"Replace mode deletes first: {count_phrase(records, lines)}."]
    for d in deletions:
        line = f"  {d.count} {d.section}"
        if d.first:
            more = ", …" if d.count > len(d.first) else ""
            line += f": {', '.join(d.first)}{more}"
        shown.append(line)
    return shown
