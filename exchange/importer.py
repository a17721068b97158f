"""Check an exchange document completely, then load it in one transaction.

Three passes, so the document is never held whole: the first reads it once, checks every
record on its own and spools the parsed records to temporary files; the second checks what
lies between records (references, duplicates, cycles, a run's recipe); only then, if nothing
is wrong, the third writes in batches, a few queries per batch of records.
"""

import difflib
import pickle
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from .document import Header, Misplaced, Record, iter_document
from .errors import ExchangeError, Invalid, Problem, Problems, problem
from .schema import FORMAT, HEADER_KEYS, SECTION_BY_KEY, SECTIONS, VERSION, Section
from .streams import Source
from .values import DATETIME_RE, json_type, make_parser

MODES = ("merge", "update", "replace")
BATCH_SIZE = 500
DEFAULT_ERROR_LIMIT = 100


@dataclass
class SectionResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped


@dataclass
class ImportResult:
    mode: str
    dry_run: bool
    sections: dict[str, SectionResult] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    warnings_total: int = 0
    deleted: int = 0


def _hint(key: str, choices) -> str:
    close = difflib.get_close_matches(key, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


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
        self.fields = {s.key: [(f, make_parser(f)) for f in s.fields] for s in SECTIONS}
        self.nested = {
            s.key: [(f, make_parser(f)) for f in s.nested.fields] for s in SECTIONS if s.nested
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
        self.source = source
        self.mode = mode
        self.dry_run = dry_run
        self.problems = Problems(error_limit)
        self.warnings = Problems(error_limit)
        self.progress = progress
        self.parsers = _Parsers()
        self.header: dict = {}
        # Natural keys seen in the file: name -> index for catalog sections, key -> index for
        # the others; a run's uuid only as a number, since there may be a million of them.
        self.keys: dict[str, dict] = defaultdict(dict)
        self.run_uuids: dict[str, set] = defaultdict(set)
        self.duplicate_uuids: dict[str, list] = defaultdict(list)
        # What the cross-record checks need of the catalog in the file.
        self.unit_recipe: dict[str, str] = {}
        self.good_parts: dict[str, list] = {}

    def run(self) -> ImportResult:
        with tempfile.TemporaryDirectory(prefix="bakery-import-") as directory:
            self.spools = {s.key: _Spool(directory, s.key) for s in SECTIONS}
            self._read()
            self._check_header()
            self.problems.raise_if_any()
            self._check_between_records()
            self.problems.raise_if_any()
            return self._write()

    # Pass 1: every record on its own.

    def _read(self):
        for item in iter_document(self.source):
            if isinstance(item, Record):
                self._read_record(item)
            elif isinstance(item, Header):
                self.header[item.key] = item.value
            elif isinstance(item, Misplaced):
                if item.code == "unknown_section":
                    hint = _hint(item.key, [*SECTION_BY_KEY, *HEADER_KEYS])
                    self.problems.add(item.key, "unknown_section", hint=hint)
                elif item.code == "duplicate_key":
                    self.problems.add(item.key, "duplicate_key", key=item.key)
                else:
                    self.problems.add(item.key, item.code, got=item.got)

    def _check_header(self):
        header, problems = self.header, Problems()
        if "format" not in header:
            problems.add("format", "required")
        elif header["format"] != FORMAT:
            problems.add("format", "format", expected=FORMAT, value=header["format"])
        version = header.get("version")
        if "version" not in header:
            problems.add("version", "required")
        elif isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            problems.add("version", "version_newer", value=version, supported=VERSION)
        elif version != VERSION or isinstance(version, bool):
            problems.add("version", "version", value=version, supported=VERSION)
        if problems:
            # Not a document of this format and version: its records' problems would be noise.
            raise ExchangeError(problems.items, problems.total)
        exported_at = header.get("exported_at")
        if "exported_at" not in header:
            self.problems.add("exported_at", "required")
        elif not isinstance(exported_at, str) or not DATETIME_RE.match(exported_at):
            self.problems.add("exported_at", "datetime", value=exported_at)
        scope = header.get("scope")
        if scope is not None and not (
            isinstance(scope, dict)
            and set(scope) <= {"events"}
            and isinstance(scope.get("events", []), list)
            and all(isinstance(n, str) for n in scope.get("events", []))
        ):
            self.problems.add("scope", "scope", value=scope)

    def _parse_fields(self, location, value, parsers, known_keys):
        """Parse a record's fields, adding its problems; return the values or None."""
        if not isinstance(value, dict):
            self.problems.add(location, "record_type", got=json_type(value))
            return None
        ok = True
        for key in value:
            if key not in known_keys:
                self.problems.add(f"{location}.{key}", "unknown_field", hint=_hint(key, known_keys))
                ok = False
        parsed = []
        for f, parse in parsers:
            try:
                parsed.append(parse(value.get(f.key)))
            except Invalid as exc:
                self.problems.add_invalid(f"{location}.{f.key}", exc)
                parsed.append(None)
                ok = False
        return parsed if ok else None

    def _read_record(self, record: Record):
        section = SECTION_BY_KEY[record.section]
        location = f"{section.key}[{record.index}]"
        for path, key in record.duplicate_keys:
            self.problems.add(path, "duplicate_key", key=key)
        values = self._parse_fields(
            location, record.value, self.parsers.fields[section.key], section.keys
        )
        children = None
        if section.nested and isinstance(record.value, dict):
            children = self._read_children(section, location, record.value.get(section.nested.key))
        if values is None or children is False or record.duplicate_keys:
            return
        row = dict(zip((f.key for f in section.fields), values, strict=True))
        if not self._check_record(section, location, row, record.value):
            return
        if not self._note_key(section, location, record.index, row):
            return
        if section.key == "finished_units":
            self.unit_recipe[row["name"]] = row["recipe_name"]
        elif section.key == "finished_goods":
            self.good_parts[row["name"]] = [
                (i, c["finished_good_name"]) for i, c in enumerate(children or [])
            ]
        self.spools[section.key].add(
            (record.index, tuple(row[f.key] for f in section.fields), children)
        )

    def _read_children(self, section: Section, location: str, value):
        nested = section.nested
        where = f"{location}.{nested.key}"
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(where, "type", expected="a list", got=json_type(value), value="")
            return False
        children, seen, ok = [], {}, True
        keys = tuple(f.key for f in nested.fields)
        for i, child in enumerate(value):
            spot = f"{where}[{i}]"
            parsed = self._parse_fields(spot, child, self.parsers.nested[section.key], keys)
            if parsed is None:
                ok = False
                continue
            row = dict(zip(keys, parsed, strict=True))
            if nested.one_of and sum(row[k] is not None for k in nested.one_of) != 1:
                self.problems.add(spot, "one_of", keys=" or ".join(nested.one_of))
                ok = False
                continue
            identity = tuple(row[k] for k in nested.identity)
            if identity in seen:
                name = next(v for v in identity if v is not None)
                self.problems.add(spot, "duplicate_child", key=repr(name), first=seen[identity])
                ok = False
                continue
            seen[identity] = spot
            children.append(row)
        return children if ok else False

    def _check_record(self, section: Section, location: str, row: dict, raw: dict) -> bool:
        """Apply the rules of one record that go beyond its fields' own values."""
        if section.key == "finished_units":
            needed = {"discrete_count": "items_per_batch", "batch_portion": "batch_percentage"}
            key = needed[row["yield_mode"]]
            if row[key] is None:
                self.problems.add(f"{location}.{key}", "required_for_mode", mode=row["yield_mode"])
                return False
        elif section.key == "events" and row["year"] is None:
            row["year"] = row["event_date"].year
        elif section.key in ("production_runs", "assembly_runs") and row["uuid"] is None:
            row["uuid"] = uuid.uuid4()
            self.warnings.add(f"{location}.uuid", "new_uuid")
        return True

    def _note_key(self, section: Section, location: str, index: int, row: dict) -> bool:
        """Remember a record's natural key, refusing one seen before in the file."""
        if section.key in ("production_runs", "assembly_runs"):
            number = row["uuid"].int
            if number in self.run_uuids[section.key]:
                self.duplicate_uuids[section.key].append((location, row["uuid"]))
                return False
            self.run_uuids[section.key].add(number)
            return True
        key = tuple(row[k] for k in section.natural_key)
        seen = self.keys[section.key]
        if key in seen:
            shown = repr(key[0]) if len(key) == 1 else "(" + ", ".join(map(repr, key)) + ")"
            self.problems.add(
                f"{location}.{section.natural_key[-1] if len(key) == 1 else ''}".rstrip("."),
                "duplicate",
                key=shown,
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
            if self.mode == "replace":
                db_names = set()
            else:
                db_names = set(
                    section.model._default_manager.values_list("name", flat=True).iterator()
                )
            self.db_names[section.key] = db_names
            self.keys[section.key + ":all"] = file_names | db_names
        self._load_db_catalog()
        for section in SECTIONS:
            refs = [f for f in section.fields if f.ref]
            nested_refs = [f for f in section.nested.fields if f.ref] if section.nested else []
            if not refs and not nested_refs:
                continue
            positions = [i for i, f in enumerate(section.fields) if f.ref]
            for batch in self.spools[section.key].batches():
                for index, values, children in batch:
                    location = f"{section.key}[{index}]"
                    for i in positions:
                        self._check_ref(
                            f"{location}.{section.fields[i].key}", section.fields[i], values[i]
                        )
                    for j, child in enumerate(children or []):
                        for f in nested_refs:
                            self._check_ref(
                                f"{location}.{section.nested.key}[{j}].{f.key}", f, child[f.key]
                            )
                    if section.key == "production_runs":
                        self._check_run_recipe(location, values)
        self._check_cycles()

    def _report_duplicate_uuids(self):
        for key, duplicates in self.duplicate_uuids.items():
            wanted = {u.int for _, u in duplicates}
            first = {}
            for batch in self.spools[key].batches():
                for index, values, _ in batch:
                    if values[0].int in wanted and values[0].int not in first:
                        first[values[0].int] = f"{key}[{index}]"
            for location, value in duplicates:
                self.problems.add(
                    f"{location}.uuid", "duplicate", key=repr(str(value)), first=first[value.int]
                )

    def _load_db_catalog(self):
        """Read what the checks need of the database's catalog (nothing in replace mode)."""
        from bakery.models import Composition, FinishedUnit

        self.db_unit_recipe, self.db_good_parts = {}, defaultdict(list)
        if self.mode == "replace":
            return
        self.db_unit_recipe = dict(
            FinishedUnit.objects.values_list("name", "recipe__name").iterator()
        )
        for assembly, part in Composition.objects.filter(finished_good__isnull=False).values_list(
            "assembly__name", "finished_good__name"
        ):
            self.db_good_parts[assembly].append(part)

    def _check_ref(self, location, f, value):
        if value is None:
            return
        if value not in self.keys[f.ref + ":all"]:
            kind = SECTION_BY_KEY[f.ref].model._meta.verbose_name
            code = "unknown_ref_replace" if self.mode == "replace" else "unknown_ref"
            self.problems.add(location, code, kind=kind, value=value)

    def _writes(self, section_key: str, name: str) -> bool:
        """Whether the import sets this named record's fields from the file."""
        in_file = (name,) in self.keys[section_key]
        return in_file and (self.mode != "merge" or name not in self.db_names[section_key])

    def _check_run_recipe(self, location, values):
        recipe, unit = values[1], values[2]
        if self._writes("finished_units", unit):
            actual = self.unit_recipe[unit]
        else:
            actual = self.db_unit_recipe.get(unit)
        if actual is not None and actual != recipe:
            self.problems.add(
                f"{location}.finished_unit_name",
                "recipe_mismatch",
                unit=unit,
                actual=actual,
                recipe=recipe,
            )

    def _check_cycles(self):
        graph = {k: list(v) for k, v in self.db_good_parts.items()}
        written = {}
        for name, parts in self.good_parts.items():
            if self._writes("finished_goods", name):
                graph[name] = [p for _, p in parts if p is not None]
                written[name] = parts
        index_of = {name: i for (name,), i in self.keys["finished_goods"].items()}
        for name, parts in written.items():
            for position, part in parts:
                if part is None:
                    continue
                path = self._path_back(graph, part, name)
                if path is not None:
                    self.problems.add(
                        f"finished_goods[{index_of[name]}].components[{position}].finished_good_name",
                        "cycle",
                        good=name,
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

    def _write(self) -> ImportResult:
        from .writer import Writer

        result = ImportResult(self.mode, self.dry_run)
        with transaction.atomic():
            writer = Writer(self.mode, self.warnings, self.progress)
            if self.mode == "replace":
                result.deleted = writer.delete_everything()
            for section in SECTIONS:
                spool = self.spools[section.key]
                result.sections[section.key] = writer.write_section(section, spool)
            if self.dry_run:
                transaction.set_rollback(True)
        result.warnings = self.warnings.items
        result.warnings_total = self.warnings.total
        return result


def import_document(
    source: Source,
    mode: str = "merge",
    dry_run: bool = False,
    error_limit: int = DEFAULT_ERROR_LIMIT,
    progress=None,
) -> ImportResult:
    """Check a document completely and load it in one transaction; raise ExchangeError if not."""
    return Importer(source, mode, dry_run, error_limit, progress).run()
