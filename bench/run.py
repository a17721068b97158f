"""Benchmark export_bakery and import_bakery against Django's dumpdata and loaddata.

Run from the project root:

    .venv/bin/python bench/run.py [--runs 20000] [--repeat 1] [--skip-django]

It generates a synthetic bakery (generate_bakery) into a fresh database, then measures
whole processes, interleaved: export_bakery against dumpdata, then import_bakery and
loaddata, each into a fresh migrated database (migration not timed). It prints a table of
wall time, records per second and peak memory, the ratios and the goals of issue 4, checks
that every imported database equals the source, and saves the figures to
bench/out/results-<db>-<runs>.json.

SQLite by default (files under bench/data/); with DATABASE_URL set to a PostgreSQL URL it
uses the databases bakery_bench_src, bakery_bench_import and bakery_bench_load of that
server, dropping and creating them.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import ijson

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
OUT = ROOT / "bench" / "out"
LOGS = OUT / "logs"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable

EXPORT_FILE = OUT / "export.json"
REFERENCE_EXPORT_FILE = OUT / "export-reference.json"
DUMP_FILE = OUT / "dump.json"
APPS = ("bakery", "production")
PG_DATABASES = {
    "src": "bakery_bench_src",
    "import": "bakery_bench_import",
    "load": "bakery_bench_load",
}

# Issue 4's goals, set at 20,000 runs on SQLite, and its limits at 1,000,000 runs.
IMPORT_GOAL = 15
EXPORT_GOAL = 30
GOAL_RUNS = 20_000
EXPORT_MEMORY_LIMIT = 2
IMPORT_MEMORY_LIMIT = 3
# Time per run, and per record of a section, may vary this much and still count as linear.
LINEAR_TOLERANCE = 1.10
# Times the 20,000-run reference is measured in each round: a process of a second or two
# swings by a tenth from one run to the next here, one of a minute much less.
REFERENCE_REPEAT = 3
# import_bakery tells where its time went, per section: read by section_timings().
IMPORT_TIMINGS = ("--verbosity", "2")
# Sections of at least this many records in the 20,000-run bakery are compared per record.
SECTION_MIN_RECORDS = 10_000

COUNT_MODELS = f"""
import json
from django.apps import apps
print(json.dumps({{
    m._meta.label: m._default_manager.count()
    for app in {APPS!r} for m in apps.get_app_config(app).get_models()
}}))
"""


class BenchError(Exception):
    """A step of the benchmark failed; the message says which and where its log is."""


def say(message: str = ""):
    print(message, flush=True)


class Databases:
    """The three databases of a benchmark: the source, the import target, the loaddata target."""

    def __init__(self, runs: int, reference: bool = False):
        # The reference is the 20,000-run bakery measured beside a larger one, in each round.
        self.reference = reference
        url = os.environ.get("DATABASE_URL", "")
        scheme = urlsplit(url).scheme
        self.postgres = scheme in ("postgres", "postgresql", "pgsql")
        self.vendor = "postgresql" if self.postgres else "sqlite"
        self.base_url = url
        self.runs = runs

    def _pg_name(self, role: str) -> str:
        return PG_DATABASES[role] + ("_ref" if self.reference else "")

    def url(self, role: str) -> str:
        if self.postgres:
            return self._pg_url(self._pg_name(role))
        return f"sqlite:///{self._sqlite_path(role)}"

    def describe(self, role: str) -> str:
        return (
            self._pg_name(role) if self.postgres else str(self._sqlite_path(role).relative_to(ROOT))
        )

    def _sqlite_path(self, role: str) -> Path:
        return DATA / f"{role}-{self.runs}.sqlite3"

    def _pg_url(self, name: str) -> str:
        """Return the server's URL naming another database (libpq and Django both read it)."""
        parts = urlsplit(self.base_url)
        query = f"?{parts.query}" if parts.query else ""
        return f"postgresql://{parts.netloc}/{name}{query}"

    def recreate(self, role: str):
        """Drop the database of this role if it exists and create it empty."""
        if self.postgres:
            import psycopg

            name = self._pg_name(role)
            with psycopg.connect(self._pg_url("postgres"), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        else:
            path = self._sqlite_path(role)
            path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


class Measure:
    """One whole process: its wall time, peak memory and exit status."""

    def __init__(self, seconds: float, peak_kib: int, returncode: int, log: Path):
        self.seconds = seconds
        self.peak_kib = peak_kib
        self.returncode = returncode
        self.log = log


def run(args: list[str], database_url: str, log_name: str, env_extra=None) -> Measure:
    """Run manage.py with these arguments as a child process; time it and take its peak RSS."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{log_name}.log"
    env = {**os.environ, "DATABASE_URL": database_url, **(env_extra or {})}
    with open(log, "wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        # wait4 reports the child's own resource use: ru_maxrss in KiB on Linux.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    measure = Measure(seconds, usage.ru_maxrss, child.returncode, log)
    if measure.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise BenchError(
            f"manage.py {' '.join(args)} exited with {measure.returncode}; log {log}:\n"
            + "\n".join(tail)
        )
    return measure


def model_counts(database_url: str) -> dict[str, int]:
    """Return the number of records of every bakery and production model in a database."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", COUNT_MODELS],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"counting records failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_exchange(path: Path) -> Counter:
    """Count the records of an exchange document per section, nested list items included."""
    counts = Counter()
    with open(path, "rb") as f:
        for prefix, event, _ in ijson.parse(f):
            if event == "start_map" and prefix.endswith(".item"):
                parts = prefix.split(".")
                # "section.item" is a record, "section.item.key.item" a nested one.
                counts[parts[0] if len(parts) == 2 else f"{parts[0]}.{parts[2]}"] += 1
    return counts


def count_dump(path: Path) -> Counter:
    """Count the objects of a dumpdata JSON file per model."""
    counts = Counter()
    with open(path, "rb") as f:
        for prefix, event, value in ijson.parse(f):
            if prefix == "item.model" and event == "string":
                counts[value] += 1
    return counts


def document_digest(path: Path) -> str:
    """Hash an exchange document, leaving out its export time."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        head = f.read(65536)
        digest.update(re.sub(rb'"exported_at":\s*"[^"]*"', b'"exported_at": ""', head, count=1))
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(dbs: Databases, role: str, label: str) -> float:
    """Make the database of this role fresh, empty and migrated; return the migration time."""
    dbs.recreate(role)
    return run(["migrate", "--noinput", "-v0"], dbs.url(role), f"migrate-{label}").seconds


def compile_bytecode():
    """Compile the project's modules (and an editable install's finder) to bytecode.

    An installed program runs from compiled modules: pip compiles what it installs, and Python
    caches the rest on a first run. Where PYTHONDONTWRITEBYTECODE is set (it is on the machine
    of the README's figures) nothing is cached, and every measured process, Django's commands
    and ours alike, would compile the project's sources again: 0.13 G instructions of the
    1.15 G that `manage.py export_bakery --help` takes (callgrind, on that machine).
    """
    purelib = subprocess.run(
        [PYTHON, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    finders = sorted(str(p) for p in Path(purelib).glob("__editable__*.py"))
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", "bakery", "production", "exchange", *finders],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def generate(dbs: Databases, runs: int, seed: int, reuse: bool) -> dict:
    kind = "-reference" if dbs.reference and dbs.postgres else ""
    marker = DATA / f"source-{dbs.vendor}-{runs}{kind}.json"
    wanted = {"runs": runs, "seed": seed, "url": dbs.url("src")}
    if reuse and marker.exists() and json.loads(marker.read_text()) == wanted:
        counts = model_counts(dbs.url("src"))
        if counts.get("production.ProductionRun") == runs:
            say(f"Reusing the generated source database {dbs.describe('src')}.")
            return {"reused": True, "counts": counts}
    marker.unlink(missing_ok=True)
    say(f"Generating {runs:,} runs (seed {seed}) into {dbs.describe('src')} ...")
    prepare(dbs, "src", f"src-{runs}")
    measure = run(
        ["generate_bakery", "--runs", str(runs), "--seed", str(seed)],
        dbs.url("src"),
        f"generate-{runs}",
    )
    say(f"  {measure.log.read_text().strip()}")
    DATA.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(wanted))
    return {
        "reused": False,
        "seconds": measure.seconds,
        "peak_mib": measure.peak_kib / 1024,
        "counts": model_counts(dbs.url("src")),
    }


OPERATIONS = {
    ("export_bakery", "export"): lambda dbs: (
        ["export_bakery", "--output", str(EXPORT_FILE)],
        "src",
    ),
    ("dumpdata", "export"): lambda dbs: (
        [
            "dumpdata",
            *APPS,
            "--natural-foreign",
            "--natural-primary",
            "--output",
            str(DUMP_FILE),
        ],
        "src",
    ),
    ("import_bakery", "import"): lambda dbs: (
        ["import_bakery", str(EXPORT_FILE), *IMPORT_TIMINGS],
        "import",
    ),
    ("loaddata", "import"): lambda dbs: (["loaddata", str(DUMP_FILE)], "load"),
}

REFERENCE_OPERATIONS = {
    "export": (["export_bakery", "--output", str(REFERENCE_EXPORT_FILE)], "src"),
    "import": (["import_bakery", str(REFERENCE_EXPORT_FILE), *IMPORT_TIMINGS], "import"),
}


def measure_round(
    dbs: Databases, index: int, skip_django: bool, env_extra: dict, reference=None
) -> tuple[list[dict], list[dict]]:
    """Measure each operation once, side by side, alternating which goes first.

    Ours and Django's, and with a reference (the 20,000-run bakery beside a larger one) ours
    on it too, so that both sizes are timed in the same minutes of the machine's life.
    Return the rows of the size asked for and those of the reference.
    """
    pairs = [
        [("export_bakery", "export"), ("dumpdata", "export")],
        [("import_bakery", "import"), ("loaddata", "import")],
    ]
    rows, reference_rows = [], []
    for pair in pairs:
        if skip_django:
            pair = pair[:1]
        if reference is not None:
            pair = [*pair, *[("reference", pair[0][1])] * REFERENCE_REPEAT]
        if index % 2:
            pair = pair[::-1]
        for turn, (tool, operation) in enumerate(pair):
            if tool == "reference":
                databases, name = (
                    reference,
                    ("export_bakery", "import_bakery")[operation == "import"],
                )
                args, role = REFERENCE_OPERATIONS[operation]
                label, out = f"{name} on {GOAL_RUNS:,} runs", reference_rows
            else:
                databases, name = dbs, tool
                args, role = OPERATIONS[tool, operation](dbs)
                label, out = tool, rows
            if operation == "import":
                prepare(databases, role, f"{role}-{databases.runs}-{index}")
            say(f"  round {index + 1}: {label} ...")
            log_name = f"{name}-{databases.runs}-{index}-{turn}"
            measure = run(args, databases.url(role), log_name, env_extra)
            say(f"    {measure.seconds:.2f}s, peak {measure.peak_kib / 1024:.0f} MiB")
            row = {
                "round": index,
                "tool": name,
                "operation": operation,
                "seconds": measure.seconds,
                "peak_mib": measure.peak_kib / 1024,
            }
            if name == "import_bakery":
                row.update(section_timings(measure.log))
            out.append(row)
    return rows, reference_rows


def section_timings(log: Path) -> dict:
    """Read import_bakery's table of time per section (--verbosity 2) from its log.

    Return {"sections": {key: [records, read seconds, write seconds]}, "between": seconds}.
    """
    sections, between, inside = {}, None, False
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Time per section"):
            inside = True
        elif line.startswith("Checks between records"):
            between = float(line.split()[-2])
            inside = False
        elif inside and (words := line.split()) and words[1].isdigit():
            sections[words[0]] = [int(words[1]), float(words[2]), float(words[3])]
    if not sections or between is None:
        raise BenchError(f"no time per section in {log}")
    return {"sections": sections, "between": between}


def verify(dbs: Databases, source_counts: dict, skip_django: bool, env_extra: dict) -> dict:
    """Check that each imported database holds what the source holds.

    The source is exported again beside the imported databases, so that all three
    documents come from the same exporter even if its code changed since the timed export.
    """

    def digest(role):
        path = OUT / f"export-of-{role}.json"
        run(["export_bakery", "--output", str(path)], dbs.url(role), f"reexport-{role}", env_extra)
        try:
            return document_digest(path)
        finally:
            path.unlink()

    checks = {}
    source_digest = digest("src")
    roles = [("import", "import_bakery")] + ([] if skip_django else [("load", "loaddata")])
    for role, tool in roles:
        counts = model_counts(dbs.url(role))
        same_document = digest(role) == source_digest
        differing = {
            label: (n, counts.get(label))
            for label, n in source_counts.items()
            if counts.get(label) != n
        }
        checks[tool] = {
            "same_counts": not differing,
            "differing_counts": differing,
            "same_export": same_document,
        }
    return checks


def summarize(rows: list[dict], records: dict) -> list[dict]:
    """Reduce the rounds to one row per tool: median time, highest peak memory."""
    summary = []
    for tool, operation in OPERATIONS:
        mine = [r for r in rows if r["tool"] == tool]
        if not mine:
            continue
        seconds = statistics.median(r["seconds"] for r in mine)
        count = records["exchange" if tool.endswith("_bakery") else "dump"]
        summary.append(
            {
                "tool": tool,
                "operation": operation,
                "records": count,
                "seconds": seconds,
                "records_per_second": count / seconds,
                "peak_mib": max(r["peak_mib"] for r in mine),
                "rounds": len(mine),
            }
        )
    return summary


def table(summary: list[dict]) -> list[str]:
    header = ("tool", "operation", "records", "seconds", "records/s", "peak MiB")
    cells = [
        (
            s["tool"],
            s["operation"],
            f"{s['records']:,}",
            f"{s['seconds']:.2f}",
            f"{s['records_per_second']:,.0f}",
            f"{s['peak_mib']:.0f}",
        )
        for s in summary
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]

    def line(row):
        return " | ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )

    return [line(header), "-+-".join("-" * w for w in widths), *(line(row) for row in cells)]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def goals(results: dict) -> list[str]:
    """Return the ratios of Django's times to ours against issue 4's goals.

    The verdict is on the ratio of the median times; the ratio of each round is shown too,
    since a busy machine moves single rounds a lot.
    """
    by_tool = {s["tool"]: s for s in results["summary"]}
    lines = []
    where = (
        ""
        if (results["runs"], results["database"]) == (GOAL_RUNS, "sqlite")
        else (f" (the goal is set at {GOAL_RUNS:,} runs on SQLite)")
    )
    for theirs, ours, goal in (
        ("loaddata", "import_bakery", IMPORT_GOAL),
        ("dumpdata", "export_bakery", EXPORT_GOAL),
    ):
        if theirs not in by_tool:
            continue
        ratio = by_tool[theirs]["seconds"] / by_tool[ours]["seconds"]
        seconds = {(r["round"], r["tool"]): r["seconds"] for r in results["rows"]}
        per_round = [
            seconds[index, theirs] / seconds[index, ours] for index in range(results["repeat"])
        ]
        results["ratios"][f"{theirs}/{ours}"] = {"of_medians": ratio, "per_round": per_round}
        rounds = ", ".join(f"{r:.1f}x" for r in per_round)
        lines.append(
            f"{theirs} time / {ours} time: {ratio:.1f}x  "
            f"(goal >= {goal}x: {verdict(ratio >= goal)}){where}; per round: {rounds}"
        )
    return lines


def _per_record(rows: list[dict], key: str) -> tuple[int, float]:
    """Return a section's records and median seconds per record over the rounds."""
    records = rows[0]["sections"][key][0]
    return records, statistics.median(
        (r["sections"][key][1] + r["sections"][key][2]) / records for r in rows
    )


def section_scaling(rows: list[dict], reference_rows: list[dict], runs: int) -> tuple:
    """Compare the import's time per record of each large section, inside the process.

    Return (lines, ratios, ok): the sections with at least SECTION_MIN_RECORDS records in the
    20,000-run bakery, and the checks between records per run.
    """
    mine = [r for r in rows if r["tool"] == "import_bakery" and "sections" in r]
    theirs = [r for r in reference_rows if r["tool"] == "import_bakery" and "sections" in r]
    if not mine or not theirs:
        return [], {}, True
    parts, ratios = [], {}
    for key in theirs[0]["sections"]:
        base_records, base = _per_record(theirs, key)
        if base_records < SECTION_MIN_RECORDS or key not in mine[0]["sections"]:
            continue
        _, seconds = _per_record(mine, key)
        ratios[key] = seconds / base
        parts.append(
            f"{key} {seconds * 1e6:.1f} vs {base * 1e6:.1f} us/record = {ratios[key]:.2f}x"
        )
    between = statistics.median(r["between"] for r in mine) / runs
    base_between = statistics.median(r["between"] for r in theirs) / GOAL_RUNS
    ratios["checks between records"] = between / base_between
    parts.append(
        f"checks between records {between * 1e6:.1f} vs {base_between * 1e6:.1f} us/run "
        f"= {ratios['checks between records']:.2f}x"
    )
    ok = all(ratio <= LINEAR_TOLERANCE for ratio in ratios.values())
    lines = [
        "    inside the process, per section (import_bakery --verbosity 2, medians): "
        + "; ".join(parts)
    ]
    return lines, ratios, ok


def scaling(results: dict) -> list[str]:
    """Compare time per run, time per record and peak memory with 20,000 runs.

    The 20,000-run reference is measured in the same rounds, so that a machine whose speed
    drifts over minutes (a shared virtual machine) moves both alike; without one (an older
    results file), the saved 20,000-run result is used.

    The verdict is on time per run, the size asked for, of whole processes; for the import
    also on the time per record of each large section and of the checks between records,
    inside the process. Time per record of the whole document is shown beside it, but it
    weighs unlike things: the catalog grows slower than the runs, so a larger document is
    made of more runs, the costliest records, and fewer catalog and nested records, the
    cheapest, and its time per record is higher although no kind of record costs more.
    """
    if results["runs"] <= GOAL_RUNS:
        return []
    if results.get("reference"):
        saved = results["reference"]
        where = "measured in the same rounds"
    else:
        baseline_file = OUT / f"results-{results['database']}-{GOAL_RUNS}.json"
        if not baseline_file.exists():
            return [
                f"No {baseline_file.name} to compare with: run bench/run.py --runs {GOAL_RUNS}."
            ]
        saved = json.loads(baseline_file.read_text())
        where = f"saved in {baseline_file.name}"
    baseline = {s["tool"]: s for s in saved["summary"]}
    lines = [
        f"Against {GOAL_RUNS:,} runs ({where}): {results['runs'] / saved['runs']:.1f}x the runs"
    ]
    limits = {"export_bakery": EXPORT_MEMORY_LIMIT, "import_bakery": IMPORT_MEMORY_LIMIT}
    for s in results["summary"]:
        base = baseline.get(s["tool"])
        if not base:
            continue
        per_record = (s["seconds"] / s["records"]) / (base["seconds"] / base["records"])
        per_run = (s["seconds"] / results["runs"]) / (base["seconds"] / saved["runs"])
        memory = s["peak_mib"] / base["peak_mib"]
        scaled = results["scaling"][s["tool"]] = {
            "time_per_run": per_run,
            "time_per_record": per_record,
            "peak_memory": memory,
        }
        rounds = ""
        if results.get("reference"):
            mine = {r["round"]: r["seconds"] for r in results["rows"] if r["tool"] == s["tool"]}
            ref = [r for r in saved["rows"] if r["tool"] == s["tool"]]
            runs_ratio = results["runs"] / saved["runs"]
            per_round = [
                mine[i]
                / statistics.median(r["seconds"] for r in ref if r["round"] == i)
                / runs_ratio
                for i in sorted(mine)
            ]
            scaled["time_per_run_per_round"] = per_round
            rounds = " (per round: " + ", ".join(f"{r:.2f}x" for r in per_round) + ")"
        sections, ok = [], True
        if s["tool"] == "import_bakery":
            sections, scaled["time_per_record_per_section"], ok = section_scaling(
                results["rows"], saved["rows"], results["runs"]
            )
        linear = per_run <= LINEAR_TOLERANCE and ok
        line = (
            f"  {s['tool']}: {s['seconds'] / results['runs'] * 1e6:.1f} us/run vs "
            f"{base['seconds'] / saved['runs'] * 1e6:.1f} us/run = {per_run:.2f}x per run"
            f"{rounds}: {'no worse than linear' if linear else 'WORSE than linear'} "
            f"(tolerance {LINEAR_TOLERANCE:.2f}); {per_record:.2f}x per record of the whole "
            f"document ({s['records'] / base['records']:.1f}x the records); peak memory "
            f"{s['peak_mib']:.0f} vs {base['peak_mib']:.0f} MiB = {memory:.2f}x"
        )
        if s["tool"] in limits:
            limit = limits[s["tool"]]
            line += f" (limit {limit}x: {verdict(memory <= limit)})"
        lines += [line, *sections]
    return lines


def code_version() -> dict:
    """Return the commit measured and the files of the exchange app changed since it."""

    def git(*args):
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.rstrip() if result.returncode == 0 else None

    changed = git("status", "--porcelain", "--", "exchange")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_exchange_files": [line[3:] for line in (changed or "").splitlines()],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs", type=int, default=GOAL_RUNS, help="production runs (default 20000)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds of measures (default 1)")
    parser.add_argument("--seed", type=int, default=2025, help="generate_bakery's seed")
    parser.add_argument(
        "--skip-django",
        action="store_true",
        help="measure only export_bakery and import_bakery (for very large sizes)",
    )
    parser.add_argument(
        "--reuse-source",
        action="store_true",
        help="keep the source database of an earlier run of the same size and seed",
    )
    options = parser.parse_args(argv)

    dbs = Databases(options.runs)
    reference = Databases(GOAL_RUNS, reference=True) if options.runs > GOAL_RUNS else None
    # Measure as deployed, without DEBUG's per-query bookkeeping, unless told otherwise.
    env_extra = {"DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0")}
    os.environ.update(env_extra)
    OUT.mkdir(parents=True, exist_ok=True)

    version = code_version()
    compile_bytecode()
    try:
        source = generate(dbs, options.runs, options.seed, options.reuse_source)
        if reference is not None:
            # Always kept when it is there: it is the same 20,000-run bakery every time.
            generate(reference, GOAL_RUNS, options.seed, reuse=True)
        rows, reference_rows = [], []
        for index in range(options.repeat):
            mine, theirs = measure_round(
                dbs, index, options.skip_django, env_extra, reference=reference
            )
            rows += mine
            reference_rows += theirs
        say("Counting the records of each document ...")
        exchange_counts = count_exchange(EXPORT_FILE)
        records = {"exchange": sum(exchange_counts.values())}
        reference_results = None
        if reference is not None:
            reference_records = {"exchange": sum(count_exchange(REFERENCE_EXPORT_FILE).values())}
            reference_results = {
                "runs": GOAL_RUNS,
                "rows": reference_rows,
                "summary": summarize(reference_rows, reference_records),
            }
        dump_counts = Counter()
        if not options.skip_django:
            dump_counts = count_dump(DUMP_FILE)
            records["dump"] = sum(dump_counts.values())
        say("Checking the imported databases against the source ...")
        checks = verify(dbs, source["counts"], options.skip_django, env_extra)
    except BenchError as exc:
        say(f"error: {exc}")
        return 1

    results = {
        "database": dbs.vendor,
        "runs": options.runs,
        "seed": options.seed,
        "repeat": options.repeat,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "django_debug": env_extra["DJANGO_DEBUG"],
        "code": version,
        "source": source,
        "document_records": dict(exchange_counts),
        "dump_records": dict(dump_counts),
        "rows": rows,
        "summary": summarize(rows, records),
        "checks": checks,
        "ratios": {},
        "scaling": {},
        "reference": reference_results,
    }

    vendor = "PostgreSQL" if dbs.postgres else "SQLite"
    say()
    say(
        f"{options.runs:,} production runs on {vendor}, {os.cpu_count()} CPUs, "
        f"median of {options.repeat} round{'s' if options.repeat != 1 else ''}; whole processes "
        f"(python manage.py ...), DJANGO_DEBUG={env_extra['DJANGO_DEBUG']}; every command with its "
        "default layout (no --indent option given)"
    )
    dirty = version["uncommitted_exchange_files"]
    say(
        f"Code: commit {version['commit']}"
        + (f" with uncommitted changes to {', '.join(dirty)}" if dirty else "")
    )
    for line in table(results["summary"]):
        say(line)
    if reference_results:
        say()
        say(f"The {GOAL_RUNS:,}-run bakery, measured in the same rounds (the reference):")
        for line in table(reference_results["summary"]):
            say(line)
    say()
    for line in goals(results) + scaling(results):
        say(line)
    for tool, check in checks.items():
        counts = "yes" if check["same_counts"] else f"NO {check['differing_counts']}"
        say(
            f"{tool}: same record counts as the source: {counts}; "
            f"re-export identical to the source export: {'yes' if check['same_export'] else 'NO'}"
        )
    result_file = OUT / f"results-{dbs.vendor}-{options.runs}.json"
    result_file.write_text(json.dumps(results, indent=2) + "\n")
    say(f"Saved {result_file.relative_to(ROOT)}")
    ok = all(c["same_counts"] and c["same_export"] for c in checks.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
