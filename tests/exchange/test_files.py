"""Documents in files: compressed, standard streams, atomic writes, a BOM, unreadable paths."""

import bz2
import gzip
import io
import json
import lzma
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from exchange.counts import document_counts
from exchange.streams import atomic_output
from tests.helpers import (
    empty_database,
    export_document,
    export_text,
    import_file,
    snapshot,
    without_exported_at,
)

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
COMPRESSIONS = {
    ".gz": (b"\x1f\x8b", gzip.decompress),
    ".bz2": (b"BZh", bz2.decompress),
    ".xz": (b"\xfd7zXZ\x00", lzma.decompress),
    ".zip": (b"PK\x03\x04", None),
}
BOM = b"\xef\xbb\xbf"


def export_to(path, *args) -> str:
    """Run export_bakery into a path and return what it wrote to stderr."""
    err = StringIO()
    call_command("export_bakery", "-o", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def leftovers(directory: Path) -> list[str]:
    """Return the temporary files an export left in a directory."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def decompressed(path: Path) -> bytes:
    _, decompress = COMPRESSIONS[path.suffix]
    if decompress is not None:
        return decompress(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == [path.stem]
        return archive.read(path.stem)


@pytest.mark.parametrize("suffix", list(COMPRESSIONS))
def test_export_compresses_by_suffix_and_import_reads_it_back(bakery, tmp_path, suffix):
    path = tmp_path / f"bakery.json{suffix}"
    before = snapshot(ids=False)
    plain = export_document()

    err = export_to(path)

    assert err == f"Exported {document_counts(plain).phrase()} to {path}.\n"
    assert path.read_bytes().startswith(COMPRESSIONS[suffix][0])
    document = json.loads(decompressed(path).decode("utf-8"))
    assert without_exported_at(document) == without_exported_at(plain)
    empty_database()
    out, err = import_file(path)
    assert err == ""
    assert out.splitlines()[0] == f"Imported {path} (merge mode):"
    assert snapshot(ids=False) == before


@pytest.mark.parametrize("suffix", [".GZ", ".Xz"])
def test_export_and_import_recognise_a_suffix_in_any_case(bakery, tmp_path, suffix):
    path = tmp_path / f"bakery.json{suffix}"
    before = snapshot(ids=False)

    export_to(path)

    magic, decompress = COMPRESSIONS[suffix.lower()]
    assert path.read_bytes().startswith(magic)
    json.loads(decompress(path.read_bytes()))
    empty_database()
    import_file(path)
    assert snapshot(ids=False) == before


def test_export_writes_standard_output_by_dash(bakery):
    out, err = StringIO(), StringIO()
    call_command("export_bakery", "-o", "-", stdout=out, stderr=err)

    assert without_exported_at(json.loads(out.getvalue())) == without_exported_at(export_document())
    assert err.getvalue().endswith(" nested lines to standard output.\n")


def test_import_reads_standard_input_by_dash(bakery, monkeypatch):
    text = export_text()
    before = snapshot(ids=False)
    empty_database()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))

    out, err = import_file("-")

    assert out.splitlines()[0] == "Imported standard input (merge mode):"
    assert err == ""
    assert snapshot(ids=False) == before


def test_import_from_standard_input_locates_a_json_error(db, monkeypatch):
    text = '{\n  "format": "bakery-exchange",\n  "version": 1,\n  "ingredients": [}\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_bakery", "-", stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == (
        "Import refused: 1 problem in standard input; nothing was written."
    )
    assert err.getvalue().startswith("invalid JSON at line 4, column 19: ")


def test_import_locates_a_json_error_in_characters_after_a_byte_order_mark(db, tmp_path):
    path = tmp_path / "bad.json"
    line = '  "ingredients": [{"name": "Crème brûlée" "x"}]'
    path.write_bytes(BOM + f'{{\n  "format": "bakery-exchange",\n{line}\n}}\n'.encode())

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 1
    # The column counts characters (è, û, é are two bytes each) up to the end of the "x".
    assert err.getvalue().startswith(f"invalid JSON at line 3, column {line.index('x') + 2}: ")


def test_import_accepts_a_utf8_byte_order_mark(bakery, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(BOM + export_text().encode("utf-8"))
    before = snapshot(ids=False)
    empty_database()

    out, err = import_file(path)

    assert err == ""
    assert snapshot(ids=False) == before


def test_import_accepts_a_byte_order_mark_inside_a_compressed_file(bakery, tmp_path):
    path = tmp_path / "bom.json.gz"
    path.write_bytes(gzip.compress(BOM + export_text().encode("utf-8")))
    before = snapshot(ids=False)
    empty_database()

    import_file(path)

    assert snapshot(ids=False) == before


def test_failed_export_leaves_an_existing_file_untouched_and_no_temporary_file(bakery, tmp_path):
    path = tmp_path / "bakery.json"
    path.write_text("the old backup\n", encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        export_to(path, "--event", "Nowhere 2099")

    assert excinfo.value.returncode == 1
    assert "'Nowhere 2099'" in str(excinfo.value)
    assert path.read_text(encoding="utf-8") == "the old backup\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", ["", ".gz", ".zip"])
def test_failure_while_writing_leaves_the_old_file_and_removes_the_partial_one(tmp_path, suffix):
    path = tmp_path / f"bakery.json{suffix}"
    path.write_bytes(b"the old backup\n")

    with pytest.raises(RuntimeError), atomic_output(str(path)) as out:
        out.write('{"format": "bakery-exchange", "ingredients": [' + "x" * 100_000)
        assert leftovers(tmp_path) != []
        raise RuntimeError("the database went away")

    assert path.read_bytes() == b"the old backup\n"
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


FAIL_WHILE_WRITING = """
import sys
from exchange.streams import atomic_output
try:
    with atomic_output(sys.argv[1]) as out:
        out.write("x" * 100_000)
        raise RuntimeError("the database went away")
except RuntimeError:
    pass
"""


@pytest.mark.parametrize("suffix", ["", *COMPRESSIONS])
def test_failure_while_writing_closes_every_layer_before_the_file(tmp_path, suffix):
    path = tmp_path / f"bakery.json{suffix}"

    # Development mode reports what a stream's close raises when it is collected.
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", FAIL_WHILE_WRITING, str(path)],
        capture_output=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode == 0
    assert result.stderr.decode() == ""
    assert not path.exists()
    assert leftovers(tmp_path) == []


def test_export_replaces_an_existing_file_whole_with_the_usual_permissions(bakery, tmp_path):
    path = tmp_path / "bakery.json"
    path.write_text("x" * 1_000_000, encoding="utf-8")
    umask = os.umask(0o022)
    try:
        export_to(path)
    finally:
        os.umask(umask)

    json.loads(path.read_text(encoding="utf-8"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_export_into_a_missing_directory_is_a_usage_error(bakery, tmp_path):
    path = tmp_path / "missing" / "bakery.json"

    with pytest.raises(CommandError) as excinfo:
        export_to(path)

    assert excinfo.value.returncode == 2
    assert str(excinfo.value) == f"cannot write {path}: No such file or directory"


def test_export_onto_a_directory_is_a_usage_error_and_leaves_nothing_behind(bakery, tmp_path):
    target = tmp_path / "backups"
    target.mkdir()

    with pytest.raises(CommandError) as excinfo:
        export_to(target)

    assert excinfo.value.returncode == 2
    assert str(excinfo.value).startswith(f"cannot write {target}: ")
    assert leftovers(tmp_path) == []
    assert list(target.iterdir()) == []


def test_import_of_a_missing_path_is_a_usage_error(db, tmp_path):
    path = tmp_path / "nothing-here.json"

    with pytest.raises(CommandError) as excinfo:
        import_file(path)

    assert excinfo.value.returncode == 2
    assert str(excinfo.value) == f"cannot read {path}: no such file"


def test_import_of_a_directory_is_a_usage_error(db, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        import_file(tmp_path)

    assert excinfo.value.returncode == 2
    assert str(excinfo.value) == f"cannot read {tmp_path}: not a file"


@pytest.mark.parametrize("suffix", list(COMPRESSIONS))
def test_import_refuses_a_file_that_is_not_what_its_suffix_says(db, tmp_path, suffix):
    path = tmp_path / f"bakery.json{suffix}"
    path.write_text('{"format": "bakery-exchange", "version": 1}', encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        import_file(path)

    assert excinfo.value.returncode == 1
    assert str(excinfo.value) == f"Import refused: 1 problem in {path}; nothing was written."


def test_import_refuses_a_document_past_the_size_limit_once_decompressed(bakery, tmp_path):
    path = tmp_path / "padded.json.gz"
    text = export_text()
    path.write_bytes(gzip.compress(text.replace("{", "{" + " " * 1000).encode()))
    assert path.stat().st_size < 20_000

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_bakery", str(path), "--max-size", "20K", stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 1
    assert err.getvalue() == (
        "the uncompressed document is larger than 20480 bytes; raise the limit with "
        "--max-size if this file is trusted\n"
    )


def test_import_refuses_a_zip_of_two_files(bakery, tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.json", export_text())
        archive.writestr("b.json", export_text())

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_bakery", str(path), stdout=StringIO(), stderr=err)

    assert excinfo.value.returncode == 1
    assert err.getvalue() == "a .zip must hold exactly one file, this one holds 2\n"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory):
    """A migrated SQLite database file, made once for the subprocess tests."""
    path = tmp_path_factory.mktemp("subprocess") / "template.sqlite3"
    result = manage(path, "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def database_file(migrated_template, tmp_path):
    """A fresh copy of the migrated SQLite database for one subprocess test."""
    path = tmp_path / "bakery.sqlite3"
    shutil.copy(migrated_template, path)
    return path


def manage(database: Path, *args, stdin: bytes | None = None):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


def test_import_from_standard_input_in_a_real_process_then_export_to_standard_output(
    bakery, database_file
):
    text = export_text()

    imported = manage(database_file, "import_bakery", "-", stdin=text.encode("utf-8"))
    exported = manage(database_file, "export_bakery")

    assert imported.returncode == 0, imported.stderr
    assert b"Traceback" not in imported.stderr
    assert imported.stdout.decode().startswith("Imported standard input (merge mode):\n")
    assert exported.returncode == 0, exported.stderr
    assert without_exported_at(json.loads(exported.stdout)) == without_exported_at(json.loads(text))


def test_real_process_exits_2_for_an_unreadable_path(database_file, tmp_path):
    result = manage(database_file, "import_bakery", str(tmp_path / "missing.json.gz"))

    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert f"cannot read {tmp_path / 'missing.json.gz'}: no such file".encode() in result.stderr


def test_real_process_exits_1_for_an_unknown_event_and_keeps_the_old_file(database_file, tmp_path):
    path = tmp_path / "old.json"
    path.write_text("old\n", encoding="utf-8")

    result = manage(database_file, "export_bakery", "--event", "Nowhere 2099", "-o", str(path))

    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"no event named 'Nowhere 2099'" in result.stderr
    assert path.read_text(encoding="utf-8") == "old\n"
    assert leftovers(tmp_path) == []
