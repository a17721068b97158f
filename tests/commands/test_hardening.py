"""The commands against what an attacker or an accident gives them besides a document: an
endless, closed or terminal standard input, an --indent of gigabytes, a symbolic link as the
output. (The processes' own cases, signals and a full disk, are in tests/processes.)"""

import io
import json
import os
import pty
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from exchange.management.commands.export_bakery import MAX_INDENT
from tests.helpers import export_text, snapshot, without_exported_at

pytestmark = pytest.mark.django_db


class Endless(io.RawIOBase):
    """Standard input that never ends: zeros, counting how many were read."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        buffer[:] = bytes(len(buffer))
        self.read_bytes += len(buffer)
        return len(buffer)


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as refusal:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    return refusal.value


def test_endless_standard_input_is_read_only_up_to_the_size_limit(bakery, monkeypatch):
    endless = Endless()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(endless))
    before = snapshot()

    error = refused("import_bakery", "-", "--max-size", "100K")

    assert (error.returncode, str(error)) == (
        1,
        "Import refused: 1 problem in standard input; nothing was written.",
    )
    # The limit, the byte order mark it does not count, and the one byte that shows it passed.
    assert endless.read_bytes == 100 * 1024 + 3 + 1
    assert snapshot() == before


CLOSED = "standard input is closed: give the document's path, or pipe it into '-'"
TERMINAL = (
    "standard input is a terminal: give the document's path, or pipe it into '-' "
    "(import_bakery - < bakery.json)"
)


def closed_stdin():
    stdin = io.TextIOWrapper(io.BytesIO(b"{}"))
    stdin.close()
    return stdin


@pytest.mark.parametrize(
    ("make_stdin", "reason"),
    [(lambda: None, CLOSED), (closed_stdin, CLOSED), ("terminal", TERMINAL)],
    ids=["none", "closed", "terminal"],
)
def test_import_from_closed_or_terminal_standard_input_is_a_usage_error(
    bakery, monkeypatch, make_stdin, reason
):
    main = None
    if make_stdin == "terminal":
        main, terminal = pty.openpty()
        stdin = open(terminal, encoding="utf-8")  # noqa: SIM115 - closed below
    else:
        stdin = make_stdin()
    monkeypatch.setattr("sys.stdin", stdin)
    before = snapshot()

    try:
        error = refused("import_bakery", "-")
    finally:
        if main is not None:
            stdin.close()
            os.close(main)

    assert (error.returncode, str(error)) == (2, reason)
    assert snapshot() == before


@pytest.mark.parametrize("indent", ["17", "100000000", "four", "1.5"])
def test_export_refuses_an_indent_beyond_16_spaces(tmp_path, indent):
    target = tmp_path / "bakery.json"

    error = refused("export_bakery", "--indent", indent, "--output", str(target))

    assert error.returncode == 2
    assert str(error) == (
        "Error: argument --indent: must be a number of spaces from 0 to 16, or -1 for one "
        f"line; got {indent!r}"
    )
    assert not target.exists()


@pytest.mark.parametrize("indent", ["0", str(MAX_INDENT), "-1"])
def test_export_takes_an_indent_from_0_to_16_or_one_line(bakery, indent):
    text = export_text("--indent", indent)

    width = int(indent)
    expected = json.dumps(json.loads(text), ensure_ascii=False, indent=None if width < 0 else width)
    assert text == expected + "\n"


def test_export_through_a_symbolic_link_writes_the_target_and_keeps_the_link(bakery, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    real = backups / "bakery-2026.json"
    real.write_text("the old backup\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(real)

    call_command("export_bakery", "--output", str(link), stderr=StringIO())

    assert link.is_symlink() and os.readlink(link) == str(real)
    written = json.loads(real.read_text(encoding="utf-8"))
    assert without_exported_at(written) == without_exported_at(json.loads(export_text()))
    # Written beside its target and renamed: nothing else in either directory.
    assert sorted(p.name for p in backups.iterdir()) == ["bakery-2026.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "latest.json"]


def test_export_through_a_dangling_link_creates_its_target(bakery, tmp_path):
    real = tmp_path / "bakery.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)

    call_command("export_bakery", "--output", str(link), stderr=StringIO())

    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["format"] == "bakery-exchange"


@pytest.mark.parametrize(
    ("archive", "member"),
    [
        ("bakery.zip", "bakery.json"),
        ("bakery.json.zip", "bakery.json"),
        ("Christmas 2026.ZIP", "Christmas 2026.json"),
    ],
)
def test_a_zip_export_holds_one_member_named_after_the_archive_with_json(
    bakery, tmp_path, archive, member
):
    path = tmp_path / archive

    call_command("export_bakery", "--output", str(path), stderr=StringIO())

    with zipfile.ZipFile(path) as opened:
        assert opened.namelist() == [member]
        assert json.loads(opened.read(member))["format"] == "bakery-exchange"
