"""Write the bakery's records as an exchange document, streamed from one database snapshot."""

import contextlib
import contextvars
import datetime
import itertools
import json
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Collate

import bakery
from bakery.models import Event

from . import failpoints
from .codecs import format_datetime
from .errors import Problems
from .schema import FORMAT, SECTION_BY_KEY, SECTIONS, VERSION, Section, section_for_model

# Parent records whose nested lists are fetched in one query; small enough for SQLite's
# limit on query parameters.
BATCH_SIZE = 500
RECORD_LINES = "records"
CHUNK_SIZE = 2000


def application_name() -> str:
    return f"bakery {bakery.__version__}"


def _byte_order(path: str):
    """Order text by its bytes, so SQLite and PostgreSQL export in the same order.

    Nulls come last on both: SQLite puts them first and PostgreSQL last by default, which
    would order a good's unit and good components of the same sort_order differently.
    """
    if not path.split("__")[-1].endswith("name"):
        return F(path).asc(nulls_last=True)
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    return Collate(F(path), collation).asc(nulls_last=True)


class Scope:
    """Which records of each section an export holds: all, or a filter per section."""

    def __init__(self, filters: dict[str, Q] | None = None, events: list[str] | None = None):
        self.filters = filters
        self.events = events

    @property
    def everything(self) -> bool:
        return self.filters is None

    def queryset(self, section: Section):
        manager = section.model._default_manager
        if self.filters is None:
            return manager.all()
        if section.key not in self.filters:
            return manager.none()
        return manager.filter(self.filters[section.key])


def _referenced(section: Section, condition: Q) -> dict[str, set]:
    """Return the ids each section's records referenced by these records, one query a field."""
    found: dict[str, set] = {}
    rows = section.model._default_manager.filter(condition)
    for f in section.references:
        ids = rows.exclude(**{f.column: None}).values_list(f.column, flat=True).distinct()
        found.setdefault(f.ref, set()).update(ids)
    if section.nested:
        nested = section.nested
        children = nested.model._default_manager.filter(
            **{f"{nested.parent_attr}__in": rows.values("pk")}
        )
        for f in nested.fields:
            if f.ref:
                ids = children.exclude(**{f.column: None}).values_list(f.column, flat=True)
                found.setdefault(f.ref, set()).update(ids.distinct())
    return found


def close_scope(filters: dict[str, Q], events: list[str] | None = None) -> Scope:
    """Add to the filtered records every record they reference, directly or not."""
    ids: dict[str, set] = {}
    pending = list(filters)
    while pending:
        key = pending.pop()
        condition = filters.get(key, Q(pk__in=[]))
        if ids.get(key):
            condition |= Q(pk__in=ids[key])
        for target, found in _referenced(SECTION_BY_KEY[key], condition).items():
            new = found - ids.setdefault(target, set())
            if new:
                ids[target] |= new
                if target not in pending:
                    pending.append(target)
    closed = dict(filters)
    for key, found in ids.items():
        if found:
            closed[key] = closed.get(key, Q(pk__in=[])) | Q(pk__in=found)
    return Scope(closed, events)


def event_scope(names: Iterable[str]) -> Scope:
    """Scope an export to events and everything of theirs, refusing unknown names."""
    names = list(dict.fromkeys(names))
    known = set(Event.objects.filter(name__in=names).values_list("name", flat=True))
    problems = Problems()
    for name in names:
        if name not in known:
            problems.add("--event", "unknown_event", value=name)
    problems.raise_if_any()
    return _events_scope(Q(name__in=names), sorted(names))


def _events_scope(event_filter: Q, names: list[str]) -> Scope:
    events = Event.objects.filter(event_filter)
    filters = {"events": Q(pk__in=events.values("pk"))}
    for section in SECTIONS:
        if "event_name" in section.field_map:
            filters[section.key] = Q(event__in=events.values("pk"))
    return close_scope(filters, names)


def selection_scope(queryset) -> Scope:
    """Scope an export to selected records of one model and what they reference.

    Selected events bring everything of theirs, as export_bakery --event does.
    """
    if queryset.model is Event:
        names = list(queryset.order_by("name").values_list("name", flat=True))
        return _events_scope(Q(pk__in=queryset.values("pk")), names)
    section = section_for_model(queryset.model)
    if section.model is queryset.model:
        condition = Q(pk__in=queryset.values("pk"))
    else:
        column = section.nested.model._meta.get_field(section.nested.parent_attr).attname
        condition = Q(pk__in=queryset.values(column))
    return close_scope({section.key: condition})


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
        """Return records as they read in their section's list, the separators between them
        included; flat records hold no list.

        A chunk of records is encoded in one call of json's C encoder, rather than one call a
        record, which halves the encoding's time: on one line that is the list's text without
        its brackets. With a record a line, the chunk is encoded with a line break after each
        comma. json never writes a line break inside a string (it escapes it as \\n), so
        every line break is one of these separators, told apart by what follows it: a key (a
        double quote) inside a record, the next record (a brace) between two.
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


class _Names:
    """The names of the records that references point to, by id, read once an export.

    A reference is read as its target's id and written as its target's name, looked up here:
    cheaper than joining the target's table in every section's query, which has the database
    find, and Python decode, the same few names once a record.
    """

    def __init__(self):
        self._by_section: dict[str, dict] = {}

    def read(self, ref: str) -> dict:
        names = self._by_section.get(ref)
        if names is None:
            model = SECTION_BY_KEY[ref].model
            names = dict(model._default_manager.values_list("pk", "name"))
            names[None] = None
            self._by_section[ref] = names
        return names

    def column(self, ref: str, ids) -> list:
        """Return the names of a column of ids."""
        try:
            return list(map(self.read(ref).__getitem__, ids))
        except KeyError:
            pass
        # Outside a snapshot (inside a caller's READ COMMITTED transaction) a record may have
        # been added since its section's names were read, or deleted since the records that
        # refer to it were.
        del self._by_section[ref]
        try:
            return list(map(self.read(ref).__getitem__, ids))
        except KeyError as exc:
            raise DatabaseError(
                f"a record of {ref} that an exported record refers to was deleted during the "
                "export; export again"
            ) from exc


def _readers(fields, names: _Names) -> tuple[list, list]:
    """Return what values_list reads of each field, and what turns a column of it into
    document values, or None where the values are written as they are read."""
    readers = [f.codec.read(names) for f in fields]
    return [column for column, _ in readers], [formatter for _, formatter in readers]


def _raw_chunks(queryset):
    """Yield a values_list queryset's rows as the database driver returns them, in chunks.

    Django's per-value converters are skipped: the formatters of _readers take the driver's
    values, and the converters would double the time of an export.
    """
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            yield rows


def _records(keys, formatters, rows) -> list[dict]:
    """Return rows as document dicts, each column through its formatter, if it has one."""
    if not rows:
        return []
    columns = [
        fmt(column) if fmt else column
        for column, fmt in zip(zip(*rows, strict=True), formatters, strict=True)
    ]
    # dict(zip(keys, values)) for every row, looped in C.
    return list(map(dict, map(zip, itertools.repeat(keys), zip(*columns, strict=True))))


def iter_section(section: Section, scope: Scope, names: _Names | None = None):
    """Yield a section's records as document dicts, a list of them at a time, in a stable
    order, streamed."""
    names = names or _Names()
    keys = [f.key for f in section.fields]
    columns, formatters = _readers(section.fields, names)
    order = [_byte_order(p) for p in (section.order_by or section.natural_key)]
    rows = scope.queryset(section).order_by(*order)
    if not section.nested:
        for chunk in _raw_chunks(rows.values_list(*columns)):
            yield _records(keys, formatters, chunk)
        return
    nested = section.nested
    parent_column = nested.model._meta.get_field(nested.parent_attr).attname
    child_columns, child_formatters = _readers(nested.fields, names)
    children = nested.model._default_manager.order_by(
        *[_byte_order(p) for p in nested.order_by]
    ).values_list(parent_column, *child_columns)
    child_keys = [f.key for f in nested.fields]
    for chunk in _raw_chunks(rows.values_list("pk", *columns)):
        for start in range(0, len(chunk), BATCH_SIZE):
            batch = chunk[start : start + BATCH_SIZE]
            by_parent: dict[int, list] = {}
            of_batch = children.filter(**{f"{parent_column}__in": [row[0] for row in batch]})
            for child_chunk in _raw_chunks(of_batch):
                for parent_id, *values in child_chunk:
                    by_parent.setdefault(parent_id, []).append(values)
            records = _records(keys, formatters, [values for _, *values in batch])
            for (pk, *_), record in zip(batch, records, strict=True):
                rows_of = by_parent.get(pk, [])
                record[nested.key] = _records(child_keys, child_formatters, rows_of)
            yield records


def _counting(chunks, nested_key, counts, key):
    for records in chunks:
        counts[key] += sum(len(record[nested_key]) for record in records)
        yield records


# Whether the code running is inside a snapshot already (the command's, around the export's).
_in_snapshot = contextvars.ContextVar("in_snapshot", default=False)


@contextlib.contextmanager
def snapshot():
    """Read every section from one consistent snapshot of the database.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction, whatever other connections commit
    meanwhile. SQLite: one transaction, whose read lock keeps writers from committing until
    it ends (in WAL mode, its snapshot). Inside a transaction its caller began, that
    transaction's own isolation applies: READ COMMITTED, PostgreSQL's default, is no snapshot.
    There the export reads inside a savepoint, so that a query the database refuses leaves the
    caller's transaction usable (PostgreSQL refuses every later query of a failed one).
    Inside a snapshot, another one is the same.
    """
    if _in_snapshot.get():
        yield
        return
    token = _in_snapshot.set(True)
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    finally:
        _in_snapshot.reset(token)


def export_document(
    out,
    *,
    scope: Scope | None = None,
    indent: int | str | None = RECORD_LINES,
    exported_at: datetime.datetime | None = None,
    progress=None,
) -> dict:
    """Write the document for a scope (everything by default) to a text stream.

    Return the number of records written per section, and per nested list as
    "section.list" (a recipe's ingredients are records too).
    """
    scope = scope or Scope()
    exported_at = exported_at or datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    counts = {}
    writer = DocumentWriter(out, indent)
    with snapshot():
        writer.begin()
        writer.value("format", FORMAT)
        writer.value("version", VERSION)
        writer.value("exported_at", format_datetime(exported_at))
        writer.value("application", application_name())
        writer.value("scope", None if scope.events is None else {"events": scope.events})
        names = _Names()
        for section in SECTIONS:
            chunks = iter_section(section, scope, names)
            if progress is not None:
                total = scope.queryset(section).count()
                chunks = progress(section.key, chunks, total)
            counts[section.key] = 0
            if section.nested:
                key = f"{section.key}.{section.nested.key}"
                counts[key] = 0
                chunks = _counting(chunks, section.nested.key, counts, key)
            counts[section.key] = writer.section(section.key, chunks, flat=not section.nested)
        writer.end()
    return counts
