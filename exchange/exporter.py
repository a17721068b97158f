"""Write the bakery's records as an exchange document, streamed from one database snapshot."""

import datetime
import itertools

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection
from django.db.models import F
from django.db.models.functions import Collate

import bakery

from .codecs import format_datetime
from .jsontext import RECORD_LINES, DocumentWriter
from .schema import FORMAT, SECTION_BY_KEY, SECTIONS, VERSION, Section
from .scope import Scope
from .snapshot import snapshot

# Parent records whose nested lists are fetched in one query; small enough for SQLite's
# limit on query parameters.
BATCH_SIZE = 500
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
