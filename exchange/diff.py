"""Compare two exchange documents: what the second adds, removes and changes of the first.

Records are matched by their natural key within their section (a name; the names of a pair,
an event and a recipe; a run's uuid), and nested lines (a recipe's ingredients, a finished
good's components, a package's contents) by their references, as the import tells them
apart: the order of records and of lines never matters. Values are compared as the import
reads them, written back as the export writes them (canonical_record): "2.5", 2.5 and
"2.5000" are one decimal, a name is compared in NFC with its end spaces stripped, a missing
key is null, a date and time is the same instant whatever its UTC offset. A value the import
would refuse is compared as it is given. In the header only exported_at is ignored: a
different version, scope or application is a difference.

Memory. A document may hold a million runs, so neither is held whole: the first is read
once to keep, per record, its natural key and a 16-byte digest of the record as given
(about 200 bytes a record: some 200 MB for a million runs); the second is then read record by
record against it, keeping the keys of added records and a digest of the records given
otherwise. Those are compared in canonical form when the first is read again, and the values
of the ones that differ kept for the report, from a last reading of the second. Two exports
of the same data are read once each.

changed_fields() compares two versions of one record field by field, for any caller that
has them (the import's report of what an update changes, for one).
"""

import contextlib
import functools
import hashlib
import json
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .codecs import UUID_RE
from .counts import Counts, plural
from .document import Header, Record, iter_document
from .errors import ExchangeError, Invalid, described, json_type, message, shown
from .schema import FORMAT, HEADER_KEYS, SECTION_BY_KEY, SECTIONS, Nested, Section, kind
from .schema import shown_key as schema_shown_key
from .streams import DEFAULT_MAX_SIZE, Source

# Header values that say nothing of the data.
IGNORED_HEADER = ("exported_at",)
# Problems of reading a file whose message already names it.
NAMED = ("unreadable", "usage")


class Unreadable(Exception):
    """A document that cannot be compared: unreadable, not JSON, or not a bakery document.

    The message names the file and says why.
    """


# Values: canonical forms.


@functools.cache
def _plan(section_key: str, nested: bool = False) -> tuple[tuple, frozenset]:
    """Return (key, parse, format) of each field of a section or of its nested lines, and the
    keys such a record may have."""
    section = SECTION_BY_KEY[section_key]
    fields = section.nested.fields if nested else section.fields
    known = [f.key for f in fields] if nested else list(section.keys)
    return tuple((f.key, f.codec.parse, f.codec.format) for f in fields), frozenset(known)


def _canonical_fields(plan: tuple, known: frozenset, value: dict) -> dict:
    """Return the fields of a record or a line as the export would write what the import reads
    of them, in the schema's order; keys the schema does not know follow, sorted, as given."""
    out = {}
    for key, parse, format_ in plan:
        raw = value.get(key)
        try:
            out[key] = format_(parse(raw))
        except Invalid:
            out[key] = raw
    return out


def _unknown(known: frozenset, value: dict) -> dict:
    """Return the keys of a record the schema does not know, sorted; a null one is missing."""
    return {k: value[k] for k in sorted(k for k in value if k not in known) if value[k] is not None}


def _identity(nested: Nested, line) -> tuple[str, ...]:
    """Return what tells a nested line apart from the others of its list: its references."""
    if not isinstance(line, dict):
        return ()
    return tuple("" if line.get(k) is None else str(line.get(k)) for k in nested.identity)


def _line_order(nested: Nested, line) -> tuple:
    return _identity(nested, line), repr(line)


def canonical_lines(section: Section, lines) -> list | object:
    """Return a record's nested lines in canonical form, sorted by their references.

    A missing list is an empty one; a value that is not a list is returned as it is.
    """
    nested = section.nested
    if lines is None:
        return []
    if not isinstance(lines, list):
        return lines
    plan, known = _plan(section.key, nested=True)
    canonical = []
    for line in lines:
        if isinstance(line, dict):
            line = {**_canonical_fields(plan, known, line), **_unknown(known, line)}
        canonical.append(line)
    canonical.sort(key=functools.partial(_line_order, nested))
    return canonical


def canonical_record(section: Section, record: dict) -> dict:
    """Return a record as the export would write what the import reads of it.

    Every field of the section is given (null when missing), in the schema's order; then the
    nested list, sorted by the lines' references; then any key the schema does not know, as
    given. A value the import would refuse is kept as it is.
    """
    plan, known = _plan(section.key)
    out = _canonical_fields(plan, known, record)
    if section.nested:
        out[section.nested.key] = canonical_lines(section, record.get(section.nested.key))
    out.update(_unknown(known, record))
    return out


def _differences(old: dict, new: dict) -> dict[str, tuple]:
    keys = [*old, *(k for k in new if k not in old)]
    return {k: (old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)}


def changed_fields(section: Section, old: dict, new: dict) -> dict[str, tuple]:
    """Return {field: (old, new)} for each field that differs between two versions of a record.

    old and new are records of the section as a document writes them (dicts, the database's
    as the export would write them). Values are compared and returned in canonical form
    (canonical_record): "2.5" and 2.5 do not differ, and a missing key is null. The nested
    list is one field: when its lines differ, in any way but their order, it is returned whole
    on both sides, sorted by the lines' references. Fields come in the schema's order.
    """
    return _differences(canonical_record(section, old), canonical_record(section, new))


def field_changes(section: Section, old: dict, new: dict) -> tuple[tuple[str, str, str], ...]:
    """Return (field, old, new) for each field that differs, the values quoted as a report
    shows them: what compare_bakery, import_bakery -v 2 and the admin's preview all show."""
    return tuple(
        (key, _shown(a), _shown(b)) for key, (a, b) in changed_fields(section, old, new).items()
    )


def _digest(record: dict) -> bytes:
    """Return a digest of a record: the same for records given alike, so for canonical
    records whose values are equal (their fields in the schema's order, their lines sorted)."""
    return hashlib.blake2b(repr(record).encode("utf-8", "surrogatepass"), digest_size=16).digest()


# Natural keys.


@functools.cache
def _key_parsers(section_key: str) -> tuple:
    section = SECTION_BY_KEY[section_key]
    return tuple((k, section.field_map[k].codec.parse) for k in section.natural_key)


def natural_key(section: Section, record: dict):
    """Return the key a record is matched by, or None when a key field is missing.

    A name for a record named by its own name, a tuple of names for a pair (an event and a
    recipe), the 16 bytes of a run's uuid. A key value the import would refuse is kept as
    given, in NFC.
    """
    if section.keyed_by_uuid:
        raw = record.get("uuid")
        if isinstance(raw, str) and UUID_RE.match(raw):
            # The 16 bytes without building a UUID: there may be a million runs.
            return bytes.fromhex(raw.replace("-", ""))
    values = []
    for key, parse in _key_parsers(section.key):
        raw = record.get(key)
        try:
            value = parse(raw)
        except Invalid:
            value = unicodedata.normalize("NFC", raw) if isinstance(raw, str) else None
        if value is None or value == "":
            return None
        values.append(value)
    if len(values) > 1:
        return tuple(values)
    value = values[0]
    return value.bytes if isinstance(value, uuid.UUID) else value


def key_text(key) -> str:
    """Return a natural key as a string: the name, the names joined by " / ", the uuid."""
    if isinstance(key, bytes):
        return str(uuid.UUID(bytes=key))
    if isinstance(key, tuple):
        return " / ".join(key)
    return key


def shown_key(section: Section, key) -> str:
    """Quote a natural key as the import does (schema.shown_key); a run's by its uuid."""
    return schema_shown_key(section, key if isinstance(key, tuple) else (key_text(key),))


# The comparison.


@dataclass
class RecordChange:
    """A record in both documents whose fields differ: {field: (old, new)}."""

    key: object
    fields: dict[str, tuple]


@dataclass
class SectionDiff:
    """What the second document adds, removes and changes of one section of the first.

    Natural keys (natural_key()) sorted by their text.
    """

    section: Section
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)


@dataclass
class Comparison:
    """The differences between two documents, and what each holds."""

    first: str
    second: str
    first_counts: Counts
    second_counts: Counts
    # {key: (old, new)} of the header values that differ, exported_at aside.
    header: dict[str, tuple] = field(default_factory=dict)
    # Every section of the schema, in its order.
    sections: dict[str, SectionDiff] = field(default_factory=dict)

    @property
    def identical(self) -> bool:
        return not self.header and not any(self.sections.values())

    def as_json(self) -> dict:
        """Return the comparison as --format json writes it.

        {"identical": bool, "sections": {SECTION: {"added": [KEY...], "removed": [KEY...],
        "changed": [{"key": KEY, "fields": {FIELD: [OLD, NEW]}}]}}}, every section given, KEY
        as key_text() writes it; "header": {KEY: [OLD, NEW]} is added when the header differs.
        """
        document = {
            "identical": self.identical,
            "sections": {
                key: {
                    "added": [key_text(k) for k in diff.added],
                    "removed": [key_text(k) for k in diff.removed],
                    "changed": [
                        {
                            "key": key_text(change.key),
                            "fields": {f: list(pair) for f, pair in change.fields.items()},
                        }
                        for change in diff.changed
                    ],
                }
                for key, diff in self.sections.items()
            },
        }
        if self.header:
            document["header"] = {k: list(pair) for k, pair in self.header.items()}
        return document


class _Document:
    """The records of one document, read as many times as asked, and its header."""

    def __init__(self, source: Source):
        self.source = source
        self.header: dict = {}
        self.counts = Counts()

    def refused(self, reason: str) -> Unreadable:
        return Unreadable(f"{self.source.name}: {reason}")

    def records(self, count: bool = True) -> Iterator[tuple[Section, str, object, dict]]:
        """Yield (section, location, natural key, record) of each record, in file order.

        Raise Unreadable for a document that is not JSON, not a bakery document, or holds a
        record that cannot be matched.
        """
        self.header, misplaced = {}, None
        try:
            with contextlib.closing(iter_document(self.source)) as items:
                for item in items:
                    if isinstance(item, Record):
                        yield self._record(item, count)
                    elif isinstance(item, Header):
                        self.header[item.key] = item.value
                    elif misplaced is None:
                        misplaced = item
        except ExchangeError as exc:
            raise unreadable(self.source.name, exc) from None
        self._check(misplaced)

    def _record(self, item: Record, count: bool):
        section = SECTION_BY_KEY[item.section]
        where = f"{item.section}[{item.index}]"
        if item.duplicate_keys:
            path, key = item.duplicate_keys[0]
            raise self.refused(f"{path}: {message('duplicate_key', key=key)}")
        if not isinstance(item.value, dict):
            got = json_type(item.value)
            raise self.refused(f"{where}: {message('record_type', got=got)}")
        key = natural_key(section, item.value)
        if key is None:
            name = next(
                k
                for k, parse in _key_parsers(section.key)
                if not _matchable(parse, item.value.get(k))
            )
            raise self.refused(
                f"{where}.{name}: records are matched by it, got {described(item.value.get(name))}"
            )
        if count:
            self.counts.add(section.key, item.value)
        return section, where, key, item.value

    def _check(self, misplaced):
        """Refuse a document that is not a bakery document, or has what no section holds."""
        if self.header.get("format") != FORMAT:
            got = shown(self.header["format"]) if "format" in self.header else "nothing"
            raise self.refused(f"format: {message('format', expected=FORMAT, value=got)}")
        if misplaced is None:
            return
        if misplaced.code == "unknown_section":
            raise self.refused(message("unknown_section", key=misplaced.key, hint=""))
        if misplaced.code == "duplicate_key":
            raise self.refused(message("duplicate_key", key=misplaced.key))
        raise self.refused(f"{misplaced.key}: {message(misplaced.code, got=misplaced.got)}")


def _matchable(parse, raw) -> bool:
    try:
        value = parse(raw)
    except Invalid:
        return isinstance(raw, str) and raw != ""
    return value is not None and value != ""


def unreadable(name: str, exc: ExchangeError) -> Unreadable:
    """Return an ExchangeError of reading a document as Unreadable, naming the document."""
    lines = [str(p) if p.code in NAMED else f"{name}: {p}" for p in exc.problems]
    return Unreadable("\n".join(lines))


def compare_documents(first: Source, second: Source) -> Comparison:
    """Compare two documents; raise Unreadable, naming it, for one that cannot be compared.

    Records are first compared as given: two exports of the same data hold the same records,
    which need no canonical form. Only the records whose text differs are compared again in
    canonical form (canonical_record), reading the first document a second time, and the
    second one again for those whose values differ.
    """
    old, new = _Document(first), _Document(second)
    # Per section, natural key -> digest of the first document's record as given; None once
    # the second document's record of that key was read.
    digests: dict[str, dict] = {s.key: {} for s in SECTIONS}
    for section, where, key, record in old.records():
        seen = digests[section.key]
        if key in seen:
            raise old.refused(f"{where}: {shown_key(section, key)} appears twice in the file")
        seen[key] = _digest(record)
    added: dict[str, set] = defaultdict(set)
    # Per section, natural key -> digest of the second document's canonical record, for the
    # records given otherwise than in the first.
    suspects: dict[str, dict] = defaultdict(dict)
    for section, where, key, record in new.records():
        seen = digests[section.key]
        digest = seen.get(key, b"")
        if digest is None or key in added[section.key]:
            raise new.refused(f"{where}: {shown_key(section, key)} appears twice in the file")
        if digest == b"":
            added[section.key].add(key)
            continue
        seen[key] = None
        if _digest(record) != digest:
            suspects[section.key][key] = _digest(canonical_record(section, record))
    comparison = Comparison(first.name, second.name, old.counts, new.counts)
    comparison.header = _differences(*(_header(d.header) for d in (old, new)))
    changes = _changes(old, new, suspects) if any(suspects.values()) else {}
    for section in SECTIONS:
        removed = [k for k, digest in digests[section.key].items() if digest is not None]
        comparison.sections[section.key] = SectionDiff(
            section,
            added=sorted(added[section.key], key=key_text),
            removed=sorted(removed, key=key_text),
            changed=sorted(changes.get(section.key, ()), key=lambda c: key_text(c.key)),
        )
    return comparison


def _changes(old: _Document, new: _Document, suspects: dict) -> dict[str, list]:
    """Return per section the changes of the records given otherwise in the two documents
    whose canonical values differ."""
    # Per section, natural key -> the first document's canonical record, where it differs.
    before: dict[str, dict] = defaultdict(dict)
    for section, _, key, record in old.records(count=False):
        digest = suspects[section.key].get(key)
        if digest is not None:
            canonical = canonical_record(section, record)
            if _digest(canonical) != digest:
                before[section.key][key] = canonical
    changes: dict[str, list] = defaultdict(list)
    if not any(before.values()):
        return changes
    for section, _, key, record in new.records(count=False):
        canonical = before[section.key].get(key)
        if canonical is not None:
            fields = _differences(canonical, canonical_record(section, record))
            if fields:
                changes[section.key].append(RecordChange(key, fields))
    return changes


def _header(header: dict) -> dict:
    return {k: header.get(k) for k in HEADER_KEYS if k not in IGNORED_HEADER}


def compare_files(first: str, second: str, max_size: int = DEFAULT_MAX_SIZE) -> Comparison:
    """Compare the documents at two paths ('-' for standard input, once)."""
    if first == "-" and second == "-":
        raise Unreadable("only one of the documents can be standard input ('-')")
    sources = []
    try:
        for path in (first, second):
            try:
                sources.append(Source(path, max_size=max_size))
            except ExchangeError as exc:
                raise unreadable(Source.name_of(path), exc) from None
        return compare_documents(*sources)
    finally:
        for source in sources:
            source.close()


# The report.


def _shown(value) -> str:
    """Quote a value as the import's messages do, lists and objects as compact JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _shown_line(nested: Nested, line) -> str:
    """Name a nested line by its references: 'Flour', or finished unit 'Cookie'."""
    if not isinstance(line, dict):
        return _shown(line)
    refs = [(k, line.get(k)) for k in nested.identity if line.get(k) is not None]
    if len(nested.identity) == 1 and refs:
        return _shown(refs[0][1])
    fields = {f.key: f for f in nested.fields}
    named = [f"{kind(fields[k].ref)} {_shown(v)}" for k, v in refs]
    return " and ".join(named) if named else _shown(line)


def _line_changes(nested: Nested, old: list, new: list) -> list[str]:
    """Return the lines of a report of what differs between two nested lists."""
    groups: dict[tuple, tuple[list, list]] = {}
    for side, lines in enumerate((old, new)):
        for line in lines:
            groups.setdefault(_identity(nested, line), ([], []))[side].append(line)
    added, removed, changed = [], [], []
    for identity in sorted(groups):
        olds, news = groups[identity]
        for line in list(olds):
            if line in news:
                olds.remove(line)
                news.remove(line)
        if len(olds) == len(news) == 1 and isinstance(olds[0], dict) and isinstance(news[0], dict):
            fields = _differences(olds[0], news[0])
            shown_fields = ", ".join(
                f"{k} {_shown(a)} → {_shown(b)}" for k, (a, b) in fields.items()
            )
            changed.append(f"~ {_shown_line(nested, news[0])}: {shown_fields}")
            continue
        for sign, lines, out in (("-", olds, removed), ("+", news, added)):
            for line in lines:
                out.append(f"{sign} {_shown_line(nested, line)}{_line_values(nested, line)}")
    heading = f"{len(added)} added, {len(removed)} removed, {len(changed)} changed"
    return [heading, *added, *removed, *changed]


def _line_values(nested: Nested, line) -> str:
    if not isinstance(line, dict):
        return ""
    values = [
        f"{k} {_shown(v)}" for k, v in line.items() if k not in nested.identity and v is not None
    ]
    return f" ({', '.join(values)})" if values else ""


def _field_lines(section: Section, name: str, old, new) -> list[str]:
    nested = section.nested
    if nested and name == nested.key and isinstance(old, list) and isinstance(new, list):
        heading, *lines = _line_changes(nested, old, new)
        return [f"{name} (nested lines): {heading}", *(f"  {line}" for line in lines)]
    return [f"{name}: {_shown(old)} → {_shown(new)}"]


def summary(comparison: Comparison) -> str:
    """Return the one line that sums a comparison up, with what each document holds."""
    if comparison.identical:
        return (
            f"The documents are identical: {comparison.first_counts.phrase()} (exported_at aside)."
        )
    diffs = [d for d in comparison.sections.values() if d]
    totals = (
        f"{sum(len(d.added) for d in diffs)} added, {sum(len(d.removed) for d in diffs)} "
        f"removed, {sum(len(d.changed) for d in diffs)} changed records in "
        f"{plural(len(diffs), 'section')}"
    )
    header = "the header differs; " if comparison.header else ""
    return (
        f"Summary: {header}{totals}; {comparison.first} has {comparison.first_counts.phrase()}, "
        f"{comparison.second} has {comparison.second_counts.phrase()} (exported_at aside)."
    )


def text_report(comparison: Comparison) -> Iterator[str]:
    """Yield the lines of the report compare_bakery writes: per section with differences,
    the records added (+), removed (-) and changed (~, field by field, old → new), then the
    summary line."""
    if comparison.header:
        yield "header:"
        for key, (old, new) in comparison.header.items():
            yield f"  ~ {key}: {_shown(old)} → {_shown(new)}"
    for diff in comparison.sections.values():
        if not diff:
            continue
        section = diff.section
        yield (
            f"{section.key}: {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{len(diff.changed)} changed"
        )
        for sign, keys in (("+", diff.added), ("-", diff.removed)):
            for key in keys:
                yield f"  {sign} {shown_key(section, key)}"
        for change in diff.changed:
            yield f"  ~ {shown_key(section, change.key)}"
            for name, (old, new) in change.fields.items():
                for line in _field_lines(section, name, old, new):
                    yield f"      {line}"
    yield summary(comparison)


def json_report(comparison: Comparison) -> str:
    """Return the comparison as --format json writes it (Comparison.as_json)."""
    return json.dumps(comparison.as_json(), ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value):
    # A number the import would refuse (2.55555 for a quantity) is given as it reads.
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
