"""Write the text of an exchange document as json.dumps would, a chunk of records at a time."""

import json
from collections.abc import Iterable

from . import failpoints

RECORD_LINES = "records"


class DocumentWriter:
    """Write a document as json.dumps would, a section's records a chunk at a time.

    With indent None the document is one line; with a number it is indented as json.dumps
    indents. The default layout, RECORD_LINES, indents the document's structure and writes
    each record on one line of its own: as readable and as diff-friendly, and encoded by
    json's C encoder, several times faster than its indenting one.
    """

    def __init__(self, out, indent: int | str | None = RECORD_LINES):
        self.out = out
        record_lines = indent == RECORD_LINES
        self.indent = 2 if record_lines else indent
        self.record_indent = None if record_lines else indent
        self.pad = " " * self.indent if self.indent is not None else ""
        self.first_key = True
        self.encode = json.JSONEncoder(ensure_ascii=False, indent=self.record_indent).encode
        if self.indent is None:
            self.first, self.between, self.last = "[", ", ", "]"
        else:
            self.first, self.between = "[\n" + self.pad * 2, ",\n" + self.pad * 2
            self.last = f"\n{self.pad}]"
        self.encode_lines = json.JSONEncoder(ensure_ascii=False, separators=(",\n", ": ")).encode

    def _dumps(self, value, level: int) -> str:
        text = self.encode(value)
        if self.record_indent is None:
            return text
        return text.replace("\n", "\n" + self.pad * level)

    def _records(self, records: list[dict], flat: bool) -> str:
        """Return records as they read in their section's list, with the separators between
        them; flat records hold no list.

        A chunk is one call of json's C encoder. With a record a line it is encoded with a line
        break after each comma: json escapes a line break inside a string, so each one is a
        separator, inside a record when a key (a quote) follows, between two when a brace does.
        """
        if self.indent is None:
            return self.encode(records)[1:-1]
        if flat and self.record_indent is None:
            text = self.encode_lines(records)[1:-1]
            return text.replace(',\n"', ', "').replace(",\n", self.between)
        return self.between.join(self._dumps(record, 2) for record in records)

    def _key(self, key: str):
        sep = "" if self.first_key else ","
        self.first_key = False
        if self.indent is None:
            self.out.write(f"{sep}{'' if not sep else ' '}{json.dumps(key)}: ")
        else:
            self.out.write(f"{sep}\n{self.pad}{json.dumps(key)}: ")

    def begin(self):
        self.out.write("{")

    def value(self, key: str, value):
        self._key(key)
        self.out.write(self._dumps(value, 1))

    def section(self, key: str, chunks: Iterable[list[dict]], flat: bool = False) -> int:
        """Write a section from chunks of its records; return how many records it holds."""
        self._key(key)
        count = 0
        write = self.out.write
        for records in chunks:
            if records:
                write((self.between if count else self.first) + self._records(records, flat))
                count += len(records)
                failpoints.reach(f"export.write.{key}", count, self.out.flush)
        write(self.last if count else "[]")
        return count

    def end(self):
        self.out.write("}\n" if self.indent is None else "\n}\n")
