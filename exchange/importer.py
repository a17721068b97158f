"""Check an exchange document completely, then load it in one transaction.

Three passes, the document never held whole (docs/design.md, "How an import flows"): each
record checked on its own and spooled; the checks between records; the write. The last two
are one transaction, begun by waiting for any other import to end.
"""

import difflib
import pickle
import tempfile
import time
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from bakery.names import normalize_name
from bakery.suggest import did_you_mean

from . import failpoints
from .codecs import aware_datetime
from .document import Header, Record, iter_document
from .errors import (
    ExchangeError,
    Invalid,
    Problems,
    described,
    json_type,
    problem,
    shown,
)
from .interrupts import FinalStep
from .keyset import KeySet
from .results import ImportResult
from .rules import MatchesReferenced, NoCycle
from .schema import (
    FORMAT,
    HEADER_KEYS,
    SECTION_BY_KEY,
    SECTIONS,
    VERSION,
    Section,
    kind,
    shown_key,
)
from .streams import Source, temporary_space
from .writer import Writer, in_events

MODES = ("merge", "update", "replace")
BATCH_SIZE = 500
DEFAULT_ERROR_LIMIT = 100


def _hint(key: str, choices) -> str:
    """Suggest the closest known key, or list them all when none is close."""
    close = difflib.get_close_matches(key, list(choices), n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of {', '.join(choices)}"


def _tracked_fields() -> dict[str, list[str]]:
    """Return, per section, the fields whose values the rules between records compare."""
    tracked = defaultdict(list)
    for section in SECTIONS:
        for rule in section.rules_of(MatchesReferenced):
            tracked[section.field_map[rule.ref].ref].append(rule.their)
    return dict(tracked)


class _Spool:
    """Records of one section kept on disk in pickled batches, read back in order."""

    def __init__(self, directory: str, key: str):
        self.file = tempfile.TemporaryFile(dir=directory, prefix=f"{key}-")  # noqa: SIM115
        self.batch: list = []
        self.count = 0

    def add(self, item):
        self.batch.append(item)
        self.count += 1
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self):
        if self.batch:
            pickle.dump(self.batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def batches(self):
        self.flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return


class _Parsers:
    """The compiled value parsers of every section, nested list and field."""

    def __init__(self):
        self.fields = {s.key: [(f, f.codec.parse) for f in s.fields] for s in SECTIONS}
        self.nested = {
            s.key: [(f, f.codec.parse) for f in s.nested.fields] for s in SECTIONS if s.nested
        }


class Importer:
    """One import of one document."""

    def __init__(
        self,
        source: Source,
        mode: str = "merge",
        dry_run: bool = False,
        error_limit: int = DEFAULT_ERROR_LIMIT,
        progress=None,
    ):
        if mode not in MODES:
            raise ExchangeError(
                [problem("", "usage", reason=f"mode must be one of {', '.join(MODES)}")], status=2
            )
        if error_limit < 1:
            raise ExchangeError(
                [problem("", "usage", reason="the error limit must be at least 1")], status=2
            )
        self.source = source
        self.mode = mode
        self.dry_run = dry_run
        self.problems = Problems(error_limit)
        self.warnings = Problems(error_limit)
        self.progress = progress
        self.parsers = _Parsers()
        self.header: dict = {}
        # The place of each top-level key in the file, so problems are reported in file order.
        self.top_order: dict[str, int] = {}
        # Natural keys seen in the file: name -> index for catalog sections, key -> index for
        # the others; a run's uuid only as a number, since there may be a million of them.
        self.keys: dict[str, dict] = defaultdict(dict)
        # Runs' uuids, a million of them perhaps: kept in KeySets, which spill to disk.
        self.run_uuids: dict[str, KeySet] = {}
        # What the rules between records need of the file: per (section, key), the value of
        # each named record; per section, each named record's references to its own section.
        self.file_values: dict[tuple[str, str], dict] = defaultdict(dict)
        self.file_edges: dict[str, dict] = defaultdict(dict)
        self.tracked = _tracked_fields()
        self.cycle_rules = {s.key: s.rules_of(NoCycle) for s in SECTIONS}
        # Names of records with problems of their own: they resolve references (the problem
        # is theirs, not the referrer's) but take no part in the checks between records.
        self.failed: dict[str, set] = defaultdict(set)
        # Sections with a record whose name itself has a problem: a reference that resolves
        # nowhere may mean that record, so it is not reported until the name is fixed.
        self.unnamed: set[str] = set()
        # Seconds spent reading and checking each section's records one by one.
        self.read_seconds: dict[str, float] = defaultdict(float)
        # The keys a record may leave out: all but its natural key. What a record leaves out
        # stays as it is in the database (merge, update, a scoped replace); a new record
        # needs each required one, checked in pass 2 with the records left for it there.
        self.patch_keys = {
            s.key: {f.key for f in s.fields if f.key not in s.natural_key} for s in SECTIONS
        }
        self.partial: dict[str, list] = defaultdict(list)
        self.lines = 0
        # The events a replace is limited to (its header's scope); None for everything.
        self.scope_events: set[str] | None = None

    def run(self) -> ImportResult:
        with tempfile.TemporaryDirectory(prefix="bakery-import-") as directory:
            self.spools = {s.key: _Spool(directory, s.key) for s in SECTIONS}
            self.run_uuids = {s.key: KeySet(directory) for s in SECTIONS if s.keyed_by_uuid}
            try:
                return self._run()
            finally:
                for keys in self.run_uuids.values():
                    keys.close()

    def _run(self) -> ImportResult:
        self._read()
        self._check_header()
        result = ImportResult(self.mode, self.dry_run)
        with FinalStep() as commit, transaction.atomic():
            # The writer waits for any other import to end, then no other import writes until
            # this transaction ends: the checks against the database (references, cycles, a
            # run's recipe) hold for the write. On SQLite that lock is taken before the
            # transaction reads anything.
            failpoints.reach("import.lock")
            writer = Writer(self.mode, self.warnings, self.progress)
            started = time.perf_counter()
            self._check_between_records()
            result.between_seconds = time.perf_counter() - started
            self.problems.raise_if_any()
            failpoints.reach("import.check")
            self._write(writer, result)
            # From here the import is final: Ctrl-C waits for the commit, then changes nothing.
            commit.hold()
            failpoints.reach("import.commit")
            if self.dry_run:
                transaction.set_rollback(True)
        result.warnings = self.warnings.items
        result.lines = self.lines
        result.warnings_total = self.warnings.total
        result.changes, result.changes_total = writer.changes, writer.changes_total
        return result

    # Pass 1: every record on its own.

    def _top(self, key: str) -> int:
        """Return the place of a top-level key in the file, counting it if new."""
        return self.top_order.setdefault(key, len(self.top_order))

    def _order(self, section: Section, index: int, *keys) -> tuple:
        """Return the place in the file of a record, or of a field of it, for sorting problems.

        keys are a field key, or the nested list's key, a child's index and a field key of it.
        """
        order = [self.top_order.get(section.key, -1), index]
        fields = [f.key for f in section.nested.fields] if section.nested else []
        for position, key in enumerate(keys):
            if position == 0:
                order.append(section.keys.index(key) if key in section.keys else len(section.keys))
            elif position == 1:
                order.append(key)
            else:
                order.append(fields.index(key) if key in fields else len(fields))
        return tuple(order)

    def items(self):
        """Yield the document's Header, Record and Misplaced items in file order.

        The one hook for a reader of another format: exchange.baketracker yields a
        bake-tracker backup's records translated into this format's sections.
        """
        return iter_document(self.source)

    def _read(self):
        read = 0
        # A record's time runs from the end of the one before: parsing it is part of it.
        last = time.perf_counter()
        for item in self.items():
            if isinstance(item, Record):
                self._read_record(item)
                now = time.perf_counter()
                self.read_seconds[item.section] += now - last
                last = now
                read += 1
                if not read % 1000:
                    failpoints.reach("import.read", read)
                    if self.progress is not None:
                        self.progress("checking", read, None)
                continue
            order = (self._top(item.key),)
            if isinstance(item, Header):
                self.header[item.key] = (item.value, order)
            elif item.code == "unknown_section":
                hint = _hint(item.key, [*HEADER_KEYS, *SECTION_BY_KEY])
                self.problems.add(item.key, "unknown_section", order=order, key=item.key, hint=hint)
            elif item.code == "duplicate_key":
                self.problems.add(item.key, "duplicate_key", order=order, key=item.key)
            else:
                self.problems.add(item.key, item.code, order=order, got=item.got)
                if SECTION_BY_KEY[item.key].named:
                    self.unnamed.add(item.key)

    def _check_header(self):
        header, problems = self.header, Problems()
        if "format" not in header:
            problems.add("format", "required")
        elif header["format"][0] != FORMAT:
            problems.add("format", "format", expected=FORMAT, value=shown(header["format"][0]))
        version = header.get("version", (None,))[0]
        is_number = isinstance(version, int | Decimal) and not isinstance(version, bool)
        if "version" not in header:
            problems.add("version", "required")
        elif is_number and version > VERSION:
            problems.add("version", "version_newer", value=shown(version), supported=VERSION)
        elif not is_number or version != VERSION:
            problems.add("version", "version", value=shown(version), supported=VERSION)
        if problems:
            # Not a document of this format and version: its records' problems would be noise.
            raise ExchangeError(problems.items, problems.total)
        if "exported_at" not in header:
            self.problems.add("exported_at", "required")
        else:
            exported_at, order = header["exported_at"]
            try:
                aware_datetime(exported_at)
            except Invalid as exc:
                self.problems.add_invalid("exported_at", exc, order=order)
        if "scope" in header:
            self._check_scope(*header["scope"])

    @property
    def replaces_all(self) -> bool:
        """Whether the import deletes every record first: replace mode, a document of all."""
        return self.mode == "replace" and self.scope_events is None

    def _check_scope(self, scope, order):
        if scope is None:
            return
        if not isinstance(scope, dict):
            self.problems.add("scope", "scope", order=order, got=described(scope))
            return
        for key in scope:
            if key != "events":
                hint = _hint(key, ["events"])
                self.problems.add(f"scope.{key}", "unknown_field", order=order, key=key, hint=hint)
        events = scope.get("events", [])
        if not isinstance(events, list) or not all(isinstance(n, str) for n in events):
            self.problems.add("scope.events", "scope_events", order=order, got=described(events))
        else:
            self.scope_events = {normalize_name(name) for name in events}

    def _parse_fields(self, location, value, parsers, known_keys, order, patch=()):
        """Parse a record's fields, adding its problems; return the values, whether all fit,
        and the places of the fields it leaves out.

        order(key) gives the place of a field for sorting problems. A field that does not fit
        is None among the values. A key of patch that the record leaves out is not missing
        but absent: its value is its default, or None if it has none, and its place is
        returned (a record for an existing key leaves that field as it is).
        """
        if not isinstance(value, dict):
            self.problems.add(location, "record_type", order=order(None), got=json_type(value))
            return None, False, ()
        ok = True
        for key in value:
            if key not in known_keys:
                self.problems.add(
                    f"{location}.{key}",
                    "unknown_field",
                    order=order(key),
                    key=key,
                    hint=_hint(key, known_keys),
                )
                ok = False
        parsed, absent = [], []
        for position, (f, parse) in enumerate(parsers):
            if f.key in patch and f.key not in value:
                absent.append(position)
                parsed.append(None if f.required else parse(None))
                continue
            try:
                parsed.append(parse(value.get(f.key)))
            except Invalid as exc:
                self.problems.add_invalid(f"{location}.{f.key}", exc, order=order(f.key))
                parsed.append(None)
                ok = False
        return parsed, ok, tuple(absent)

    def _read_record(self, record: Record):
        section = SECTION_BY_KEY[record.section]
        self._top(section.key)
        location = f"{section.key}[{record.index}]"
        index = record.index
        for path, key in record.duplicate_keys:
            self.problems.add(path, "duplicate_key", order=self._order(section, index), key=key)
            if path == location and key in section.natural_key and section.named:
                # Either name may be the one the file's references mean.
                self.unnamed.add(section.key)
        values, ok, absent = self._parse_fields(
            location,
            record.value,
            self.parsers.fields[section.key],
            section.keys,
            lambda key: self._order(section, index, *([key] if key else [])),
            self.patch_keys[section.key],
        )
        # A record leaving its nested list out (None) leaves the existing one as it is.
        children = None
        nested_key = section.nested.key if section.nested else None
        if isinstance(record.value, dict) and nested_key in record.value:
            children = self._read_children(section, location, index, record.value[nested_key])
        if values is None:
            if section.named:
                self.unnamed.add(section.key)
            return
        row = dict(zip((f.key for f in section.fields), values, strict=True))
        absent_keys = {section.fields[p].key for p in absent}
        if not ok or children is False or record.duplicate_keys:
            self._note_failed(section, location, index, row)
            return
        rules_ok, deferred = self._apply_rules(section, location, index, row, absent_keys)
        if not rules_ok:
            self._note_failed(section, location, index, row)
            return
        if not self._note_key(section, location, index, row):
            return
        missing = [k for k in absent_keys if section.field_map[k].required]
        if missing or deferred:
            # Whether these matter depends on whether the record is new: pass 2 knows.
            key = tuple(row[k] for k in section.natural_key)
            self.partial[section.key].append((index, key, missing, deferred, row))
        for key in self.tracked.get(section.key, ()):
            if key not in absent_keys:
                self.file_values[section.key, key][row["name"]] = row[key]
        if children is not None:
            for rule in self.cycle_rules[section.key]:
                self.file_edges[section.key][row["name"]] = [
                    (i, child[rule.ref]) for i, child in enumerate(children)
                ]
        self.spools[section.key].add(
            (record.index, tuple(row[f.key] for f in section.fields), children, absent)
        )
        self.lines += len(children or ())

    def _read_children(self, section: Section, location: str, index: int, value):
        nested = section.nested
        where = f"{location}.{nested.key}"
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(
                where,
                "type",
                order=self._order(section, index, nested.key),
                expected="a list",
                got=described(value),
            )
            return False
        children, seen, ok = [], {}, True
        keys = tuple(f.key for f in nested.fields)
        for i, child in enumerate(value):
            spot = f"{where}[{i}]"

            def order(key, i=i):
                return self._order(section, index, nested.key, i, *([key] if key else []))

            parsed, fits, _ = self._parse_fields(
                spot, child, self.parsers.nested[section.key], keys, order
            )
            if not fits:
                ok = False
                continue
            row = dict(zip(keys, parsed, strict=True))
            given = sum(row[k] is not None for k in nested.one_of)
            if nested.one_of and given != 1:
                found = "neither" if given == 0 else "both" if given == 2 else str(given)
                self.problems.add(
                    spot, "one_of", order=order(None), keys=" or ".join(nested.one_of), found=found
                )
                ok = False
                continue
            identity = tuple(row[k] for k in nested.identity)
            if identity in seen:
                name = next(v for v in identity if v is not None)
                self.problems.add(
                    spot,
                    "duplicate_child",
                    order=order(None),
                    key=repr(name),
                    first=seen[identity],
                )
                ok = False
                continue
            seen[identity] = spot
            children.append(row)
        return children if ok else False

    def _apply_rules(
        self, section: Section, location: str, index: int, row: dict, absent=frozenset()
    ) -> tuple[bool, list]:
        """Apply the section's record rules to a record; return whether it may be imported,
        and the rules left for pass 2, which read a key the record leaves out."""
        ok, deferred = True, []
        for rule in section.record_rules:
            if absent.intersection(rule.reads):
                deferred.append(rule)
                continue
            for finding in rule.apply(row):
                notes = self.warnings if finding.warning else self.problems
                order = self._order(section, index, finding.key)
                notes.add(f"{location}.{finding.key}", finding.code, order=order, **finding.params)
                ok = ok and finding.warning
        return ok, deferred

    def _note_failed(self, section: Section, location: str, index: int, row: dict):
        """Remember the natural key of a record with problems, if its key fields fit."""
        if section.keyed_by_uuid:
            return
        key = tuple(row[k] for k in section.natural_key)
        if None in key:
            if section.named:
                self.unnamed.add(section.key)
            return
        if self._note_key(section, location, index, row) and section.named:
            self.failed[section.key].add(key[0])

    def _note_key(self, section: Section, location: str, index: int, row: dict) -> bool:
        """Remember a record's natural key, refusing one seen before in the file."""
        if section.keyed_by_uuid:
            # A repeat is found when the batch is flushed, and reported after the first pass.
            self.run_uuids[section.key].add(row["uuid"].bytes, index)
            return True
        key = tuple(row[k] for k in section.natural_key)
        seen = self.keys[section.key]
        if key in seen:
            field = section.natural_key[0] if section.named else None
            self.problems.add(
                f"{location}.{field}" if field else location,
                "duplicate",
                order=self._order(section, index, *([field] if field else [])),
                key=shown_key(section, key),
                first=f"{section.key}[{seen[key]}]",
            )
            return False
        seen[key] = index
        return True

    # Pass 2: between records.

    def _check_between_records(self):
        self._report_duplicate_uuids()
        self.db_names = {}
        for section in SECTIONS:
            if not section.named:
                continue
            file_names = {k[0] for k in self.keys[section.key]}
            if self.replaces_all:
                db_names = set()
            else:
                db_names = set(
                    section.model._default_manager.values_list("name", flat=True).iterator()
                )
            self.db_names[section.key] = db_names
            self.keys[section.key + ":all"] = file_names | db_names
        self._load_db_catalog()
        self._check_new_records()
        for section in SECTIONS:
            refs = [f for f in section.fields if f.ref]
            nested_refs = [f for f in section.nested.fields if f.ref] if section.nested else []
            if not refs and not nested_refs:
                continue
            positions = [i for i, f in enumerate(section.fields) if f.ref]
            keys = [f.key for f in section.fields]
            # Each rule's fields as places in the spooled values, and the values to match.
            matches = [
                (rule, *map(keys.index, (rule.ref, rule.key)), self._after_import(section, rule))
                for rule in section.rules_of(MatchesReferenced)
            ]
            known = {f.ref: self.keys[f.ref + ":all"] for f in [*refs, *nested_refs]}
            for batch in self.spools[section.key].batches():
                for index, values, children, absent in batch:
                    location = f"{section.key}[{index}]"
                    resolved = True
                    for i in positions:
                        f = section.fields[i]
                        if values[i] is not None and values[i] not in known[f.ref]:
                            resolved = False
                            self._refuse_ref(
                                f"{location}.{f.key}",
                                f,
                                values[i],
                                self._order(section, index, f.key),
                            )
                    for j, child in enumerate(children or []):
                        for f in nested_refs:
                            value = child[f.key]
                            if value is not None and value not in known[f.ref]:
                                self._refuse_ref(
                                    f"{location}.{section.nested.key}[{j}].{f.key}",
                                    f,
                                    value,
                                    self._order(section, index, section.nested.key, j, f.key),
                                )
                    if not resolved:
                        continue
                    for rule, ref_at, key_at, after in matches:
                        if ref_at in absent or key_at in absent:
                            continue
                        actual = after.get(values[ref_at])
                        if actual is not None and actual != values[key_at]:
                            self.problems.add(
                                f"{location}.{rule.ref}",
                                rule.code,
                                order=self._order(section, index, rule.ref),
                                name=values[ref_at],
                                actual=actual,
                                value=values[key_at],
                            )
        for section in SECTIONS:
            for rule in section.rules_of(MatchesReferenced):
                self._check_referrers_agree(rule, section)
            for rule in section.rules_of(NoCycle):
                self._check_cycles(rule, section)

    def _check_new_records(self):
        """Refuse a record that leaves out a required field if it is new (a record for an
        existing key is a patch), and apply to it the rules left for this pass."""
        for section in SECTIONS:
            entries = self.partial.get(section.key)
            if not entries:
                continue
            existing = self._existing_keys(section, {key for _, key, *_ in entries})
            for index, key, missing, deferred, row in entries:
                if key in existing:
                    continue
                location = f"{section.key}[{index}]"
                quoted = shown_key(section, key)
                for k in missing:
                    self.problems.add(
                        f"{location}.{k}",
                        "required_new",
                        order=self._order(section, index, k),
                        kind=kind(section.key),
                        key=quoted,
                    )
                if not missing:
                    for rule in deferred:
                        for finding in rule.apply(row):
                            if not finding.warning:
                                self.problems.add(
                                    f"{location}.{finding.key}",
                                    finding.code,
                                    order=self._order(section, index, finding.key),
                                    **finding.params,
                                )

    def _existing_keys(self, section: Section, keys: set) -> set:
        """Return which of the natural keys are records the import will find in the database
        (none when it deletes them first)."""
        if self.replaces_all:
            return set()
        manager = section.model._default_manager
        fields = [section.field_map[k] for k in section.natural_key]
        columns = [f"{f.attr}__name" if f.ref else f.attr for f in fields]
        first = sorted({key[0] for key in keys}, key=str)
        found = set()
        for start in range(0, len(first), BATCH_SIZE):
            rows = manager.filter(**{f"{columns[0]}__in": first[start : start + BATCH_SIZE]})
            deleted = in_events(section, self.scope_events) if self.mode == "replace" else None
            if deleted is not None:
                # A scoped replace deletes its events and what is theirs first.
                rows = rows.exclude(deleted)
            found.update(rows.values_list(*columns).iterator())
        return found & keys

    def _report_duplicate_uuids(self):
        for key, seen in self.run_uuids.items():
            section = SECTION_BY_KEY[key]
            seen.flush()
            for index, first, value in seen.duplicates:
                self.problems.add(
                    f"{key}[{index}].uuid",
                    "duplicate",
                    order=self._order(section, index, "uuid"),
                    key=repr(str(uuid.UUID(bytes=value))),
                    first=f"{key}[{first}]",
                )

    def _load_db_catalog(self):
        """Read what the rules between records need of the database (nothing in replace mode)."""
        self.db_values: dict[tuple[str, str], dict] = {}
        self.db_edges: dict[str, dict] = {}
        for section in SECTIONS:
            for key in self.tracked.get(section.key, ()):
                self.db_values[section.key, key] = {}
                if not self.replaces_all:
                    f = section.field_map[key]
                    column = f"{f.attr}__name" if f.ref else f.attr
                    rows = section.model._default_manager.values_list("name", column)
                    self.db_values[section.key, key] = dict(rows.iterator())
            for rule in section.rules_of(NoCycle):
                edges = self.db_edges[section.key] = defaultdict(list)
                if self.replaces_all:
                    continue
                nested = section.nested
                f = next(f for f in nested.fields if f.key == rule.ref)
                rows = nested.model._default_manager.filter(**{f"{f.attr}__isnull": False})
                for parent, part in rows.values_list(
                    f"{nested.parent_attr}__name", f"{f.attr}__name"
                ):
                    edges[parent].append(part)

    def _refuse_ref(self, location, f, value, order):
        """Refuse a reference to a record neither in the file nor in the database."""
        if f.ref in self.unnamed:
            return
        code = "unknown_ref_replace" if self.replaces_all else "unknown_ref"
        # A suggestion costs a search of the section's names: only for the first problems.
        hint = ""
        if self.problems.total < self.problems.limit:
            hint = did_you_mean(value, self.keys[f.ref + ":all"])
        self.problems.add(location, code, order=order, kind=kind(f.ref), value=value, hint=hint)

    def _writes(self, section_key: str, name: str) -> bool:
        """Whether the import sets this named record's fields from the file."""
        in_file = (name,) in self.keys[section_key]
        return in_file and (self.mode != "merge" or name not in self.db_names[section_key])

    def _after_import(self, section: Section, rule) -> dict:
        """Return name -> the value each record a rule's reference names will have after the
        import: the file's where the import writes it, else the database's. A record with
        problems of its own has none, so that its referrers are not refused for them."""
        target = section.field_map[rule.ref].ref
        after = dict(self.db_values[target, rule.their])
        for name, value in self.file_values[target, rule.their].items():
            if self._writes(target, name):
                after[name] = value
        for name in self.failed[target]:
            after.pop(name, None)
        return after

    def _check_referrers_agree(self, rule, section: Section):
        """Refuse an update giving a referenced record a value that records of the database
        referring to it disagree with (a finished unit another recipe than its runs').

        The file's own records were checked against the file's value; only the database's
        records that the file does not hold are counted. One query per batch of changed
        records.
        """
        if self.mode == "merge" or self.replaces_all:
            return
        ref = section.field_map[rule.ref]
        target = SECTION_BY_KEY[ref.ref]
        file_values = self.file_values[target.key, rule.their]
        db_values = self.db_values[target.key, rule.their]
        changed = {
            name: value
            for name, value in file_values.items()
            if db_values.get(name) not in (None, value)
        }
        key = section.field_map[rule.key]
        in_file = self.run_uuids[section.key] if section.keyed_by_uuid else None
        counts = defaultdict(int)
        names = sorted(changed)
        for start in range(0, len(names), BATCH_SIZE):
            rows = section.model._default_manager.filter(
                **{f"{ref.attr}__name__in": names[start : start + BATCH_SIZE]}
            ).values_list(f"{ref.attr}__name", f"{key.attr}__name", *section.natural_key)
            for name, value, *natural_key in rows.iterator():
                if value == changed[name]:
                    continue
                if in_file is not None and natural_key[0].bytes in in_file:
                    continue
                counts[name] += 1
        meta = section.model._meta
        for name, count in counts.items():
            kind = meta.verbose_name if count == 1 else meta.verbose_name_plural
            index = self.keys[target.key][(name,)]
            self.problems.add(
                f"{target.key}[{index}].{rule.their}",
                rule.changed_code,
                order=self._order(target, index, rule.their),
                name=name,
                value=changed[name],
                referrers=f"{count} {kind}",
                current=db_values[name],
            )

    def _check_cycles(self, rule, section: Section):
        """Refuse records that would contain themselves, reporting each cycle once."""
        nested = section.nested
        graph = {k: list(v) for k, v in self.db_edges[section.key].items()}
        for name in self.failed[section.key]:
            graph[name] = []
        written = {}
        for name, parts in self.file_edges[section.key].items():
            if self._writes(section.key, name):
                graph[name] = [p for _, p in parts if p is not None]
                written[name] = parts
        index_of = {name: i for (name,), i in self.keys[section.key].items()}
        reported = set()
        for name, parts in sorted(written.items(), key=lambda item: index_of[item[0]]):
            for position, part in parts:
                if part is None:
                    continue
                path = self._path_back(graph, part, name)
                if path is None or frozenset(path) in reported:
                    continue
                reported.add(frozenset(path))
                index = index_of[name]
                self.problems.add(
                    f"{section.key}[{index}].{nested.key}[{position}].{rule.ref}",
                    rule.code,
                    order=self._order(section, index, nested.key, position, rule.ref),
                    name=name,
                    path=" → ".join([name, *path]),
                )

    @staticmethod
    def _path_back(graph, start, goal):
        """Return the goods from start down to goal, or None if goal is not inside start."""
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            if node == goal:
                return path
            if node in seen:
                continue
            seen.add(node)
            stack.extend((child, [*path, child]) for child in graph.get(node, ()))
        return None

    # Pass 3: write.

    def _write(self, writer, result: ImportResult):
        if self.mode == "replace":
            result.deletions = writer.deletions(self.scope_events)
            if self.scope_events is not None:
                result.scope = sorted(self.scope_events)
        if self.replaces_all:
            result.deleted = writer.delete_everything()
            failpoints.reach("import.delete")
        elif self.mode == "replace":
            result.deleted = writer.delete_events(self.scope_events)
            failpoints.reach("import.delete")
        for section in SECTIONS:
            started = time.perf_counter()
            written = writer.write_section(section, self.spools[section.key])
            written.write_seconds = time.perf_counter() - started
            written.read_seconds = self.read_seconds[section.key]
            result.sections[section.key] = written


def import_document(
    source: Source,
    mode: str = "merge",
    dry_run: bool = False,
    error_limit: int = DEFAULT_ERROR_LIMIT,
    progress=None,
) -> ImportResult:
    """Check a document completely and load it in one transaction; raise ExchangeError if not."""
    with temporary_space():
        return Importer(source, mode, dry_run, error_limit, progress).run()
