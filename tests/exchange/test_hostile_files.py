"""Hostile and broken documents: each gets its exit status and exact located messages, and the
database does not change; none makes the process crash, hang or fill the memory or the disk.

The files are in tests/exchange/corpus, with what each must get in its expected.json (written by
its generate.py from the format's contract, not from an import).
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from exchange.guard import MAX_VALUE
from exchange.streams import DEFAULT_MAX_SIZE
from tests.helpers import DEMO_TODAY, run_import, snapshot

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# Files run through a real process, to show that nothing prints a traceback: every family,
# and every file that once crashed the process or that reaches a less trodden path.
SAMPLE = [
    "json-truncated.json",
    "json-invalid-utf8-byte.json",
    "json-lone-surrogate-low.json",
    "json-number-of-5000-digits.json",
    "json-nested-100000-levels.json",
    "json-nested-100000-objects.json",
    "json-endless-string.json.gz",
    "top-list.json",
    "header-version-newer.json",
    "record-not-object.json",
    "type-production_runs-produced_at.json",
    "bounds-exponent-1e999999999.json",
    "bounds-decimal-exponent-1e999999999.json",
    "nan-decimal-nan.json",
    "duplicate-key-in-record.json",
    "name-nul-character.json",
    "datetime-before-year-1-in-utc.json",
    "uuid-words.json",
    "cycle-three-goods.json",
    "zip-member-parent-path.zip",
    "zip-bad-crc.zip",
    "zip-encrypted.zip",
    "zip-unknown-method.zip",
    "bom-accepted.json",
]


def expected_lines(name: str) -> list[str]:
    path = CORPUS / name
    return [line.replace("{path}", str(path)) for line in EXPECTED[name]["messages"]]


def problem_count(lines: list[str]) -> int:
    """Return how many problems the lines report: one a line, and the N of "and N more"."""
    if lines and lines[-1].startswith("and ") and lines[-1].endswith(" more"):
        return len(lines) - 1 + int(lines[-1].split()[1])
    return len(lines)


def test_corpus_holds_every_expected_file_and_nothing_else():
    files = {p.name for p in CORPUS.iterdir()} - {"expected.json", "generate.py"}

    assert files == set(EXPECTED)
    assert len(files) >= 60
    assert {case["status"] for case in EXPECTED.values()} == {0, 1}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_its_status_and_located_messages(bakery, name):
    expected = EXPECTED[name]
    path = CORPUS / name
    before = snapshot()

    outcome = run_import(str(path))

    lines = expected_lines(name)
    assert (outcome.returncode, outcome.lines) == (expected["status"], lines)
    if expected["status"] == 1:
        count = problem_count(lines)
        assert outcome.message == (
            f"Import refused: {count} problem{'s' if count != 1 else ''} in {path}; "
            "nothing was written."
        )
        assert snapshot() == before
    else:
        assert outcome.stdout.startswith(f"Imported {path} (merge mode):\n")
        assert snapshot() != before
        for label, lookup, values in expected["lands"]:
            rows = apps.get_model(label).objects.filter(**lookup)
            assert rows.count() == 1
            landed = rows.values(*values).get() if values else {}
            assert {k: str(v) for k, v in landed.items()} == {k: str(v) for k, v in values.items()}


@pytest.fixture(scope="module")
def seeded_database(tmp_path_factory):
    """A migrated SQLite file with the demo bakery, copied for each process that imports."""
    path = tmp_path_factory.mktemp("hostile") / "seeded.sqlite3"
    for args in (["migrate", "--noinput"], ["seed_demo", "--today", DEMO_TODAY]):
        result = manage(path, *args)
        assert result.returncode == 0, result.stderr
    return path


def manage(database: Path, *args, env=None, timeout=120):
    env = {**os.environ, **(env or {}), "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        capture_output=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=timeout,
    )


@pytest.mark.slow
def test_sample_of_the_corpus_in_real_processes_prints_no_traceback(seeded_database, tmp_path):
    def run(name):
        database = tmp_path / f"{name}.sqlite3"
        shutil.copy(seeded_database, database)
        started = time.monotonic()
        result = manage(database, "import_bakery", str(CORPUS / name), timeout=60)
        return name, result, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, SAMPLE))

    for name, result, seconds in results:
        stderr = result.stderr.decode("utf-8")
        assert "Traceback" not in stderr + result.stdout.decode("utf-8"), name
        assert result.returncode == EXPECTED[name]["status"], (name, stderr)
        lines = stderr.splitlines()
        # The demo bakery shares names with the corpus's records: merge warns about them.
        lines = [line for line in lines if not line.startswith("warning: ")]
        refused = lines[-1:] if EXPECTED[name]["status"] else []
        assert lines == expected_lines(name) + refused, name
        assert seconds < 20, name


def test_deep_nesting_is_refused_at_once(bakery):
    started = time.monotonic()

    outcome = run_import(str(CORPUS / "json-nested-100000-levels.json"))

    assert outcome.returncode == 1
    assert outcome.lines[0].startswith("nesting deeper than 32 levels at line ")
    assert time.monotonic() - started < 2


# What 200 MB of the same byte expand after: inside a string, between values, or nothing.
BOMBS = {
    "zeros-in-a-string": (b'{"format": "bakery-exchange", "version": 1, "notes": "', b"0"),
    "spaces": (b'{"format": "bakery-exchange", "version": 1,', b" "),
    "nul-bytes": (b"", b"\x00"),
}
TOO_LARGE = (
    "the uncompressed document is larger than 10485760 bytes; raise the limit with "
    "--max-size if this file is trusted"
)


def too_long(column: int) -> str:
    return (
        f"more than {MAX_VALUE} bytes without a double quote from line 1, column {column}: "
        "no string, number or space of a bakery document is this long"
    )


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    """Each kind of bomb: 200 MB of one byte after a head, gzip-compressed to a few hundred KB."""
    directory = tmp_path_factory.mktemp("bombs")
    paths = {}
    for kind, (head, byte) in BOMBS.items():
        paths[kind] = directory / f"{kind}.json.gz"
        with gzip.GzipFile(paths[kind], "wb", compresslevel=1, mtime=0) as out:
            out.write(head)
            block = byte * 2**20
            for _ in range(200):
                out.write(block)
        assert paths[kind].stat().st_size < 2 * 2**20
    return paths


# Starts the import and reports its peak memory. The import is not started by the test
# process itself: a child's peak counts what it inherited when forked, the whole of pytest.
MEASURE = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_memory(args, database, tmpdir):
    """Run import_bakery in a process; return its status, stderr and peak memory in bytes."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "TMPDIR": str(tmpdir)}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, MANAGE, "import_bakery", *args],
        capture_output=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    status, peak = result.stdout.split()
    # ru_maxrss is in kilobytes on Linux.
    return int(status), result.stderr.decode("utf-8"), int(peak) * 1024


@pytest.mark.parametrize(
    ("kind", "args", "line"),
    [
        ("zeros-in-a-string", ["--max-size", "10M"], TOO_LARGE),
        # The default limit (4 GiB) would let them through: the value limit refuses them first.
        ("zeros-in-a-string", [], too_long(len(BOMBS["zeros-in-a-string"][0]) + 1)),
        ("spaces", [], too_long(len(b'{"format": "bakery-exchange", "version"') + 1)),
        ("spaces", ["--max-size", "10M"], TOO_LARGE),
        (
            "nul-bytes",
            ["--max-size", "10M"],
            "invalid JSON at line 1, column 1: unexpected character",
        ),
    ],
    ids=["string-max-size-10M", "string-default", "spaces-default", "spaces-max-size-10M", "nul"],
)
def test_compressed_bomb_is_refused_before_it_fills_memory_or_disk(
    seeded_database, bombs, tmp_path, kind, args, line
):
    database = tmp_path / "bakery.sqlite3"
    shutil.copy(seeded_database, database)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    before = database.read_bytes()
    started = time.monotonic()

    status, stderr, peak = peak_memory([str(bombs[kind]), *args], database, tmpdir)

    assert status == 1
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        line,
        f"CommandError: Import refused: 1 problem in {bombs[kind]}; nothing was written.",
    ]
    # Django and the parser take about 65 MB; the 200 MB of the document never arrive (without
    # the value limit, the parser held 450 MB of one string after 12 minutes).
    assert peak < 150 * 2**20
    assert list(tmpdir.iterdir()) == []
    assert database.read_bytes() == before
    assert time.monotonic() - started < 30


def test_default_size_limit_is_stated_and_leaves_room_for_a_large_bakery(seeded_database):
    # A million production runs export to about half a gigabyte (13 MB per 20,000 runs): the
    # default leaves room for eight times that, and a value never takes more than MAX_VALUE.
    result = manage(seeded_database, "import_bakery", "--help")

    assert DEFAULT_MAX_SIZE == 4 * 2**30
    assert "(default 4G)" in " ".join(result.stdout.decode().split())
