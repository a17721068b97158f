"""Write checked, spooled records to the database in batches: a few queries per batch."""

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Q

from . import failpoints
from .diff import field_changes, key_text
from .errors import Problems
from .results import Change, Deletion, SectionResult
from .schema import SECTION_BY_KEY, SECTIONS, Section

CREATE_BATCH_SIZE = 1000
MAX_CHANGES = 1000
# Parents whose children are read or deleted with one IN (...) list: below SQLite's limit of
# 999 parameters.
ID_BATCH_SIZE = 900
# From how many records an import into an empty SQLite table copies them in key order, with
# the other indexes made afterwards (SortedInserter); below it the extra statements buy nothing.
SORTED_INSERT_MIN = 5000
# How many natural keys a preview of a replace names per section.
PREVIEW_KEYS = 20
# The PostgreSQL advisory lock every import of a database holds while it writes ("bakery").
IMPORT_LOCK_KEY = 0x62616B657279
# How long, in seconds, an import waits for another one to finish writing before giving up.
WRITE_LOCK_TIMEOUT = 600
# The PostgreSQL error of a lock not granted within lock_timeout.
LOCK_NOT_AVAILABLE = "55P03"


def in_events(section: Section, names) -> Q | None:
    """Return which records of a section belong to the named events (the events themselves,
    or what refers to them), or None for a section outside any event (the catalog)."""
    if names is None:
        return None
    if section.model is SECTION_BY_KEY["events"].model:
        return Q(name__in=names)
    if "event_name" in section.field_map:
        return Q(event__name__in=names)
    return None


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _child_columns(nested):
    return [f"{f.attr}__name" if f.ref else f.attr for f in nested.fields]


class Inserter:
    """Insert rows of one model's columns with executemany, in batches.

    Django's bulk_create builds a model instance and a placeholder expression per value,
    which took most of an import's time; the values here are already checked and complete.
    """

    def __init__(self, model, columns: list[str], codecs: list):
        """Take the model's columns and, for each, its codec (None for a parent's id)."""
        fields = [model._meta.get_field(c) for c in columns]
        # The connection itself, not django.db.connection, whose every attribute is looked up
        # through a thread-local proxy: a million rows make that a second or more.
        self.connection = connections[DEFAULT_DB_ALIAS]
        quote = self.connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        self.preps = [
            (i, prep)
            for i, codec in enumerate(codecs)
            if codec is not None and (prep := codec.prepare(self.connection))
        ]

    def insert(self, rows: list[list]):
        for row in rows:
            for i, prep in self.preps:
                if row[i] is not None:
                    row[i] = prep(row[i])
        with self.connection.cursor() as cursor:
            for chunk in _chunks(rows, CREATE_BATCH_SIZE):
                cursor.executemany(self.sql, chunk)

    def finish(self):
        """Nothing is left to write: every row went in with insert()."""


class SortedInserter(Inserter):
    """Insert rows into an empty SQLite table in the order of its unique key, indexes after.

    In file order a large table's indexes outgrow SQLite's cache (docs/design.md, import step
    7); here rows wait in an untyped temporary table, which stores each value as given, and
    finish() copies them in key order and makes the other indexes again.
    """

    def __init__(self, model, columns: list[str], codecs: list, order: list[str]):
        super().__init__(model, columns, codecs)
        quote = self.connection.ops.quote_name
        self.table = model._meta.db_table
        self.waiting = quote(f"exchange_sorted_{self.table}")
        names = [f"c{i}" for i in range(len(columns))]
        self.copy_sql = "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY {}".format(
            quote(self.table),
            ", ".join(quote(model._meta.get_field(c).column) for c in columns),
            ", ".join(names),
            self.waiting,
            ", ".join(names[columns.index(c)] for c in order),
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {self.waiting} ({', '.join(names)})")
        self.sql = "INSERT INTO {} VALUES ({})".format(
            self.waiting, ", ".join(["%s"] * len(columns))
        )

    def _plain_indexes(self, cursor) -> list[tuple[str, str]]:
        """Return (name, SQL) of the table's indexes that are neither unique nor its key."""
        cursor.execute(
            "SELECT m.name, m.sql FROM pragma_index_list(%s) AS il "
            "JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name "
            "WHERE il.origin = 'c' AND NOT il.[unique] ORDER BY m.name",
            [self.table],
        )
        return cursor.fetchall()

    def finish(self):
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            indexes = self._plain_indexes(cursor)
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            cursor.execute(self.copy_sql)
            for _, sql in indexes:
                cursor.execute(sql)
            cursor.execute(f"DROP TABLE {self.waiting}")


def _still_writing() -> OperationalError:
    return OperationalError(
        f"another import was still writing to the database after {WRITE_LOCK_TIMEOUT} s of "
        "waiting for it"
    )


def lock_for_writing():
    """Wait until no other import writes to the database; hold that until the transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: the write lock, taken before the
    transaction reads anything, since SQLite refuses a transaction that has read the write lock
    at once (docs/design.md, import step 4). Either waits up to WRITE_LOCK_TIMEOUT; SQLite
    keeps that busy timeout for the rest of the connection's life.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            try:
                # One round trip; SET LOCAL ends with the transaction.
                cursor.execute(
                    f"SET LOCAL lock_timeout = '{WRITE_LOCK_TIMEOUT}s'; "
                    f"SELECT pg_advisory_xact_lock({IMPORT_LOCK_KEY})"
                )
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                    raise _still_writing() from exc
                raise
    elif connection.vendor == "sqlite":
        quote, meta = connection.ops.quote_name, SECTIONS[0].model._meta
        table, column = quote(meta.db_table), quote(meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {WRITE_LOCK_TIMEOUT * 1000}")
            try:
                # Changes no row, but takes the write lock as any write does.
                cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE 0")
            except OperationalError as exc:
                if "locked" in str(exc):
                    raise _still_writing() from exc
                raise


class Writer:
    """Create, update or leave each record of the document, per the import mode.

    It is made inside the import's transaction, and waits there for any other import to end.
    """

    def __init__(self, mode: str, warnings: Problems, progress=None):
        lock_for_writing()
        self.mode = mode
        self.warnings = warnings
        self.progress = progress
        self._ids: dict[str, dict] = {}
        self._names: dict[str, dict] = {}
        self.changes: list[Change] = []
        self.changes_total = 0

    def ids(self, section_key: str) -> dict:
        """Return name → id of a named section, read once after it was written."""
        if section_key not in self._ids:
            section = next(s for s in SECTIONS if s.key == section_key)
            self._ids[section_key] = dict(
                section.model._default_manager.values_list("name", "pk").iterator()
            )
        return self._ids[section_key]

    def delete_everything(self) -> int:
        """Delete every bakery and production record, children before parents."""
        deleted = 0
        for section in reversed(SECTIONS):
            if section.nested:
                deleted += section.nested.model._default_manager.all().delete()[0]
        for section in reversed(SECTIONS):
            count, per_model = section.model._default_manager.all().delete()
            deleted += per_model.get(section.model._meta.label, 0)
        return deleted

    @staticmethod
    def deletions(names=None) -> list[Deletion]:
        """Return what a replace would delete, section by section: everything, or the named
        events and every record of theirs; with the natural keys of the first PREVIEW_KEYS."""
        found = []
        for section in SECTIONS:
            manager = section.model._default_manager
            scope = None if names is None else in_events(section, names)
            if names is not None and scope is None:
                continue
            rows = manager.all() if scope is None else manager.filter(scope)
            count = rows.count()
            if not count:
                continue
            fields = [section.field_map[k] for k in section.natural_key]
            columns = [f"{f.attr}__name" if f.ref else f.attr for f in fields]
            first = rows.order_by(*columns).values_list(*columns)[:PREVIEW_KEYS]
            keys = tuple(key_text(tuple(map(str, key))) for key in first)
            found.append(Deletion(section.key, count, keys))
            if names is None and section.nested:
                lines = section.nested.model._default_manager.count()
                if lines:
                    found.append(Deletion(f"{section.key}.{section.nested.key}", lines, ()))
        return found

    def delete_events(self, names) -> int:
        """Delete the named events and every record of theirs (a replace scoped to them);
        the catalog and other events stay."""
        deleted = 0
        for section in reversed(SECTIONS):
            scope = in_events(section, names)
            if scope is None:
                continue
            count, per_model = section.model._default_manager.filter(scope).delete()
            deleted += per_model.get(section.model._meta.label, 0)
        return deleted

    def _id(self, f, name, location: str, problems: Problems):
        """Return the id of the record a reference names, or note that it is gone.

        The checks found it in the file or the database, but another import, or a person,
        may have deleted it since: the import is then refused, located, not half written.
        """
        found = self.ids(f.ref).get(name)
        if found is None:
            kind = SECTION_BY_KEY[f.ref].model._meta.verbose_name
            problems.add(f"{location}.{f.key}", "unknown_ref", kind=kind, value=name, hint="")
        return found

    def _resolve(self, section: Section, index: int, values: tuple, problems: Problems) -> list:
        """Return a record's values to store, references as ids."""
        resolved = list(values)
        for i, f in enumerate(section.fields):
            value = resolved[i]
            if f.ref and value is not None:
                resolved[i] = self._id(f, value, f"{section.key}[{index}]", problems)
        return resolved

    def _existing(self, section: Section, columns, key_positions, keys):
        """Return key → (pk, values) of the batch's records already in the database."""
        manager = section.model._default_manager
        first = columns[key_positions[0]]
        rows = manager.filter(**{f"{first}__in": {k[0] for k in keys}}).values_list("pk", *columns)
        found = {}
        for pk, *values in rows:
            found[tuple(values[p] for p in key_positions)] = (pk, values)
        return found

    def _children_of(self, section: Section, parent_ids) -> dict:
        """Return parent id → {identity: child values} as names, for comparing lists."""
        nested = section.nested
        parent_column = nested.model._meta.get_field(nested.parent_attr).attname
        columns = _child_columns(nested)
        identity = [i for i, f in enumerate(nested.fields) if f.ref]
        children: dict = {pk: {} for pk in parent_ids}
        for chunk in _chunks(parent_ids, ID_BATCH_SIZE):
            rows = nested.model._default_manager.filter(
                **{f"{parent_column}__in": chunk}
            ).values_list(parent_column, *columns)
            for parent, *values in rows:
                children[parent][tuple(values[i] for i in identity)] = tuple(values)
        return children

    @staticmethod
    def _file_children(section: Section, children) -> dict:
        nested = section.nested
        keys = [f.key for f in nested.fields]
        return {
            tuple(child[k] for k in nested.identity): tuple(child[k] for k in keys)
            for child in children or []
        }

    def _note_change(self, section, index, key, fields, children):
        """Remember what an update changes (or a merge leaves), for a preview to show."""
        self.changes_total += 1
        if len(self.changes) >= MAX_CHANGES:
            return
        # Both sides as a document writes them, compared and shown as compare_bakery does.
        old_record, new_record = {}, {}
        for i, old, new in fields:
            f = section.fields[i]
            if f.ref and old is not None:
                old = self.names(f.ref)[old]
            old_record[f.key], new_record[f.key] = f.codec.format(old), f.codec.format(new)
        if children is not None:
            keys = [f.key for f in section.nested.fields]
            for record, lines in zip((old_record, new_record), children, strict=True):
                record[section.nested.key] = [
                    dict(zip(keys, v, strict=True)) for v in lines.values()
                ]
        self.changes.append(
            Change(
                f"{section.key}[{index}]",
                ", ".join(str(k) for k in key),
                field_changes(section, old_record, new_record),
                applied=self.mode != "merge",
            )
        )

    def names(self, section_key: str) -> dict:
        """Return id → name of a named section (for showing what a change replaces)."""
        if section_key not in self._names:
            self._names[section_key] = {pk: name for name, pk in self.ids(section_key).items()}
        return self._names[section_key]

    def write_section(self, section: Section, spool):
        result = SectionResult()
        columns = [f.column for f in section.fields]
        codecs = [f.codec for f in section.fields]
        key_positions = [
            next(i for i, f in enumerate(section.fields) if f.key == k) for k in section.natural_key
        ]
        value_positions = [i for i in range(len(columns)) if i not in key_positions]
        pending_children = []
        done = 0
        # Into an empty table every record is new (the file's duplicates were refused): no
        # batch needs to look for existing ones.
        was_empty = not spool.count or not section.model._default_manager.exists()
        if (
            was_empty
            and spool.count >= SORTED_INSERT_MIN
            and not section.nested
            and connection.vendor == "sqlite"
        ):
            order = [columns[p] for p in key_positions]
            inserter = SortedInserter(section.model, columns, codecs, order)
        else:
            inserter = Inserter(section.model, columns, codecs)
        problems = Problems()
        for batch in spool.batches():
            rows = [
                (index, self._resolve(section, index, values, problems), children, absent)
                for index, values, children, absent in batch
            ]
            problems.raise_if_any()
            keys = [tuple(values[p] for p in key_positions) for _, values, _, _ in rows]
            existing = {} if was_empty else self._existing(section, columns, key_positions, keys)
            current_children = (
                self._children_of(section, [pk for pk, _ in existing.values()])
                if section.nested and existing
                else {}
            )
            creates, updates = [], []
            for (index, values, children, absent), key, original in zip(
                rows, keys, batch, strict=True
            ):
                found = existing.get(key)
                if found is None:
                    # Created with the defaults of what it leaves out (the checks saw that it
                    # gives every required field).
                    creates.append(values)
                    result.created += 1
                    if section.nested and children:
                        pending_children.append((index, key[0], children, False))
                    continue
                pk, current = found
                # A patch: what the record leaves out stays as it is.
                for i in absent:
                    values[i] = current[i]
                differing = [
                    section.fields[i].key for i in value_positions if values[i] != current[i]
                ]
                children_change = None
                if section.nested and children is not None:
                    old_children = current_children.get(pk, {})
                    new_children = self._file_children(section, children)
                    if new_children != old_children:
                        differing.append(section.nested.key)
                        children_change = (old_children, new_children)
                if differing:
                    changed = [
                        (i, current[i], original[1][i])
                        for i in value_positions
                        if values[i] != current[i]
                    ]
                    key_values = [original[1][p] for p in key_positions]
                    self._note_change(section, index, key_values, changed, children_change)
                if not differing:
                    result.unchanged += 1
                elif self.mode == "merge":
                    result.skipped += 1
                    self.warnings.add(
                        f"{section.key}[{index}]",
                        "merge_skipped",
                        key=", ".join(repr(str(original[1][p])) for p in key_positions),
                        fields=", ".join(differing),
                    )
                else:
                    updates.append(section.model(pk=pk, **dict(zip(columns, values, strict=True))))
                    result.updated += 1
                    if children_change is not None:
                        pending_children.append((index, key[0], children, True))
            if creates:
                inserter.insert(creates)
            if updates:
                section.model._default_manager.bulk_update(
                    updates, [columns[i] for i in value_positions], batch_size=CREATE_BATCH_SIZE
                )
            done += len(batch)
            failpoints.reach(f"import.write.{section.key}", done)
            if self.progress is not None:
                self.progress(section.key, done, spool.count)
        inserter.finish()
        self._ids.pop(section.key, None)
        if pending_children:
            self._write_children(section, pending_children)
        return result

    def _write_children(self, section: Section, pending):
        """Create the nested lists of created parents and replace those of updated ones."""
        nested = section.nested
        parent_column = nested.model._meta.get_field(nested.parent_attr).attname
        parent_ids = self.ids(section.key)
        replaced = [parent_ids[name] for _, name, _, replace in pending if replace]
        manager = nested.model._default_manager
        for chunk in _chunks(replaced, ID_BATCH_SIZE):
            manager.filter(Q(**{f"{parent_column}__in": chunk})).delete()
        rows = []
        problems = Problems()
        for index, name, children, _ in pending:
            for j, child in enumerate(children or []):
                row = [parent_ids[name]]
                location = f"{section.key}[{index}].{nested.key}[{j}]"
                for f in nested.fields:
                    value = child[f.key]
                    if f.ref and value is not None:
                        value = self._id(f, value, location, problems)
                    row.append(value)
                rows.append(row)
        problems.raise_if_any()
        columns = [parent_column, *(f.column for f in nested.fields)]
        Inserter(nested.model, columns, [None, *(f.codec for f in nested.fields)]).insert(rows)
