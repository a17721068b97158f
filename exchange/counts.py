"""The project's one way of counting a bakery's data: records, and nested lines apart.

A record is an entry of a document's section, or a row of its model (an ingredient, a recipe,
a production run). A nested line is an entry of a record's own list: a recipe's ingredients,
a finished good's components, a package's contents. seed_demo, the export, the import,
compare_bakery and the admin give their figures with count_phrase(), in the same words:
"67 records and 35 nested lines".
"""

from collections.abc import Mapping
from dataclasses import dataclass

from .schema import SECTION_BY_KEY, SECTIONS


def plural(count: int, word: str) -> str:
    """Return a count and its word, "1 record" or "2 records"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def count_phrase(records: int, lines: int) -> str:
    """Return the figures in the project's words: "67 records and 35 nested lines"."""
    return f"{plural(records, 'record')} and {plural(lines, 'nested line')}"


def nested_lines(section_key: str, record) -> int:
    """Return how many nested lines a record of a section holds, as the document gives it.

    A record that is not an object, or whose list is not a list, holds none.
    """
    nested = SECTION_BY_KEY[section_key].nested
    if nested is None or not isinstance(record, Mapping):
        return 0
    children = record.get(nested.key)
    return len(children) if isinstance(children, list) else 0


@dataclass
class SectionCount:
    records: int = 0
    lines: int = 0


class Counts:
    """Records and nested lines per section, every section of the schema in its order."""

    def __init__(self):
        self.sections: dict[str, SectionCount] = {s.key: SectionCount() for s in SECTIONS}

    def add(self, section_key: str, record) -> None:
        """Count one record of a document (a dict as read) and its nested lines."""
        count = self.sections[section_key]
        count.records += 1
        count.lines += nested_lines(section_key, record)

    @property
    def records(self) -> int:
        return sum(c.records for c in self.sections.values())

    @property
    def lines(self) -> int:
        return sum(c.lines for c in self.sections.values())

    def phrase(self) -> str:
        """Return the totals in the project's words: "67 records and 35 nested lines"."""
        return count_phrase(self.records, self.lines)


def document_counts(document: Mapping) -> Counts:
    """Count the records and nested lines of a document held as a dict (json.load's).

    A section that is missing or not a list counts nothing.
    """
    counts = Counts()
    for section in SECTIONS:
        records = document.get(section.key)
        for record in records if isinstance(records, list) else ():
            counts.add(section.key, record)
    return counts


def database_counts() -> Counts:
    """Count the records and nested lines of the database: what a full export would hold."""
    counts = Counts()
    for section in SECTIONS:
        count = counts.sections[section.key]
        count.records = section.model._default_manager.count()
        if section.nested:
            count.lines = section.nested.model._default_manager.count()
    return counts
