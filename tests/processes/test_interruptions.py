"""What the world around a document does to an import or an export: Ctrl-C, SIGTERM, a closed
or endless standard input, a full disk. Each stops the command cleanly, with one line and its
exit status; the database is as it was and no temporary file is left.

The commands run as processes of their own against a database of each vendor
(tests/processes/conftest.py). A signal is sent while the process is stopped at a fail point
(exchange.failpoints) and delivered when it is let go on: the test waits on events, not the
clock. A full disk is a small tmpfs, mounted in a mount namespace of the command's own.
"""

import os
import pty
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from exchange.failpoints import ENVIRONMENT
from tests.helpers import unavailable, wait_until_stopped
from tests.processes.databases import MANAGE, check, manage

pytestmark = pytest.mark.slow

EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}
NOTHING_WRITTEN = "CommandError: interrupted; nothing was written\n"
NO_SPACE = (
    "CommandError: not enough space in TMPDIR ({directory}) for the import's temporary files; "
    "free some space there or set TMPDIR to a directory with more; nothing was written.\n"
)


@pytest.fixture
def document(database, tmp_path) -> Path:
    """The database's own bakery, exported: importing it in replace mode rewrites every row."""
    path = tmp_path / "bakery.json"
    check(manage(database.url, "export_bakery", "--output", str(path)))
    return path


@pytest.fixture
def tmpdir(tmp_path) -> Path:
    """The TMPDIR of the commands: empty, to see that they leave it so."""
    path = tmp_path / "tmp"
    path.mkdir()
    return path


def start(database, *args, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, MANAGE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": database.url, **env},
        cwd=settings.BASE_DIR,
    )


def interrupt(process: subprocess.Popen, signum: int) -> tuple[int, str, str]:
    """Wait until the process stops at its fail point, send it the signal, let it go on;
    return its exit status and output. Its output is a few lines: the pipes never fill."""
    wait_until_stopped(process, lambda: process.stderr.read().decode())
    process.send_signal(signum)
    process.send_signal(signal.SIGCONT)
    out, err = process.communicate(timeout=300)
    return process.returncode, out.decode(), err.decode()


# Where an import is interrupted: its records read and spooled, checking (its transaction
# open), writing (replace mode has deleted every record by then).
IMPORT_STOPS = [
    ("merge", "import.lock"),
    ("replace", "import.check"),
    ("replace", "import.write.production_runs@3"),
]


def test_import_interrupted_by_ctrl_c_or_sigterm_writes_nothing_and_leaves_no_file(
    database, document, tmpdir
):
    before = database.fingerprint()

    for mode, failpoint in IMPORT_STOPS:
        for signum, status in EXIT_STATUS.items():
            env = {ENVIRONMENT: failpoint, "TMPDIR": str(tmpdir)}
            process = start(
                database, "import_bakery", str(document), "--mode", mode, "--noinput", env=env
            )

            returncode, out, err = interrupt(process, signum)

            case = (mode, failpoint, signum.name)
            assert (returncode, out, err) == (status, "", NOTHING_WRITTEN), case
            database.settle()
            assert database.fingerprint() == before, case
            assert list(tmpdir.iterdir()) == [], case


@pytest.mark.parametrize("signum", list(EXIT_STATUS), ids=lambda s: s.name)
def test_import_interrupted_once_it_commits_completes_and_says_so(
    database, document, tmpdir, signum
):
    before = database.fingerprint()
    env = {ENVIRONMENT: "import.commit", "TMPDIR": str(tmpdir)}
    process = start(
        database, "import_bakery", str(document), "--mode", "replace", "--noinput", env=env
    )

    returncode, out, err = interrupt(process, signum)

    assert (returncode, err) == (0, "")
    assert out.startswith(f"Imported {document} (replace mode):\n")
    # Replace mode wrote every row again, with new ids.
    assert database.fingerprint() != before
    assert list(tmpdir.iterdir()) == []


@pytest.mark.parametrize("existing", [True, False], ids=["over-a-file", "new-file"])
@pytest.mark.parametrize("signum", list(EXIT_STATUS), ids=lambda s: s.name)
def test_export_interrupted_leaves_the_path_as_it_was_and_no_temporary_file(
    database, tmp_path, signum, existing
):
    directory = tmp_path / "out"
    directory.mkdir()
    target = directory / "bakery.json"
    if existing:
        target.write_bytes(b'{"the old backup": true}\n')
    env = {ENVIRONMENT: "export.write.recipes@1"}
    process = start(database, "export_bakery", "--output", str(target), env=env)

    returncode, out, err = interrupt(process, signum)

    left = f"the existing {target} is unchanged" if existing else f"{target} was not written"
    assert (returncode, out, err) == (
        EXIT_STATUS[signum],
        "",
        f"CommandError: interrupted; {left}\n",
    )
    if existing:
        assert target.read_bytes() == b'{"the old backup": true}\n'
    assert sorted(p.name for p in directory.iterdir()) == (["bakery.json"] if existing else [])


@pytest.mark.parametrize("signum", list(EXIT_STATUS), ids=lambda s: s.name)
def test_export_interrupted_at_its_rename_completes(database, tmp_path, signum):
    directory = tmp_path / "out"
    directory.mkdir()
    target = directory / "bakery.json"
    target.write_bytes(b'{"the old backup": true}\n')
    process = start(
        database, "export_bakery", "--output", str(target), env={ENVIRONMENT: "export.rename"}
    )

    returncode, _, err = interrupt(process, signum)

    assert (returncode, err) == (0, f"Exported 67 records and 35 nested lines to {target}.\n")
    assert target.read_text(encoding="utf-8").startswith('{\n  "format": "bakery-exchange",')
    assert sorted(p.name for p in directory.iterdir()) == ["bakery.json"]


def test_import_from_a_closed_or_terminal_standard_input_is_a_usage_error(database):
    before = database.fingerprint()

    closed = manage(database.url, "import_bakery", "-", preexec_fn=lambda: os.close(0))
    main, terminal = pty.openpty()
    try:
        typed = manage(database.url, "import_bakery", "-", stdin=terminal)
    finally:
        os.close(main)
        os.close(terminal)

    assert (closed.returncode, closed.stderr.decode()) == (
        2,
        "CommandError: standard input is closed: give the document's path, or pipe it into '-'\n",
    )
    assert (typed.returncode, typed.stderr.decode()) == (
        2,
        "CommandError: standard input is a terminal: give the document's path, or pipe it "
        "into '-' (import_bakery - < bakery.json)\n",
    )
    assert database.fingerprint() == before


# Runs a command with a tmpfs of SIZE mounted at DIRECTORY, in a mount namespace of its own
# (the tmpfs goes with it); PREPARE runs before the command, AFTER after it, and what the
# tmpfs holds at the end is printed last.
IN_SMALL_TMPFS = """
set -u
directory=$1 size=$2
shift 2
mount -t tmpfs -o "size=$size" tmpfs "$directory" || exit 99
eval "${PREPARE:-true}"
"$@"
status=$?
eval "${AFTER:-true}"
printf 'left in the tmpfs: [%s]\\n' "$(ls -A "$directory" | tr '\\n' ' ')"
exit $status
"""


def in_small_tmpfs(database, directory: Path, size: str, *args, env=None, **run):
    """Run manage.py with a tmpfs of size at directory; return its status, stdout without
    the last line, stderr, and what the tmpfs held at the end."""
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode
    ):
        unavailable("a small tmpfs needs `unshare --mount` (util-linux, as root)")
    directory.mkdir(exist_ok=True)
    command = ["unshare", "--mount", "sh", "-c", IN_SMALL_TMPFS, "sh", str(directory), size]
    result = subprocess.run(
        [*command, sys.executable, MANAGE, *args],
        capture_output=True,
        env={**os.environ, "DATABASE_URL": database.url, **(env or {})},
        cwd=settings.BASE_DIR,
        timeout=300,
        **run,
    )
    *out, left = result.stdout.decode().splitlines()
    return result.returncode, out, result.stderr.decode(), left


def test_endless_standard_input_stops_at_the_size_limit(database, tmp_path):
    before = database.fingerprint()
    small = tmp_path / "small"

    # Before the limit applied while reading, the copy filled the tmpfs (or the disk).
    with open("/dev/zero", "rb") as zeros:
        status, out, err, left = in_small_tmpfs(
            database,
            small,
            "1m",
            "import_bakery",
            "-",
            "--max-size",
            "1000",
            env={"TMPDIR": str(small)},
            stdin=zeros,
        )

    assert (status, out, err.splitlines(), left) == (
        1,
        [],
        [
            "the uncompressed document is larger than 1000 bytes; raise the limit with "
            "--max-size if this file is trusted",
            "CommandError: Import refused: 1 problem in standard input; nothing was written.",
        ],
        "left in the tmpfs: []",
    )
    assert database.fingerprint() == before


@pytest.mark.parametrize("source", ["path", "standard-input"])
def test_import_whose_temporary_directory_fills_up_is_refused_cleanly(
    database, document, tmp_path, source
):
    before = database.fingerprint()
    small = tmp_path / "small"
    # Room for the standard input's copy (17 KB) but not for the records' spools as well.
    size = "8k" if source == "standard-input" else "24k"
    args = ["import_bakery", str(document), "--mode", "replace", "--noinput"]
    run = {}
    if source == "standard-input":
        args[1] = "-"
        run["stdin"] = open(document, "rb")  # noqa: SIM115 - closed below

    try:
        status, out, err, left = in_small_tmpfs(
            database, small, size, *args, env={"TMPDIR": str(small)}, **run
        )
    finally:
        if run:
            run["stdin"].close()

    assert (status, out, err, left) == (
        1,
        [],
        NO_SPACE.format(directory=small),
        "left in the tmpfs: []",
    )
    assert database.fingerprint() == before


def test_export_to_a_full_disk_leaves_the_existing_file_and_no_temporary_file(database, tmp_path):
    small = tmp_path / "small"
    target = small / "bakery.json"

    status, out, err, left = in_small_tmpfs(
        database,
        small,
        "12k",
        "export_bakery",
        "--output",
        str(target),
        env={"PREPARE": f"echo 'the old backup' > {target}", "AFTER": f"cat {target}"},
    )

    assert (status, err) == (2, f"CommandError: cannot write {target}: No space left on device\n")
    # The existing file as it was, and nothing else in the tmpfs.
    assert out == ["the old backup"]
    assert left == "left in the tmpfs: [bakery.json ]"
