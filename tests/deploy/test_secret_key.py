"""Without DJANGO_SECRET_KEY, each installation makes its own key once, outside the code."""

import stat
import subprocess
import sys
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from bakery import settings as project_settings
from tests.deploy.support import ROOT, SHOW_SETTINGS, environment, settings_of, start_settings


def secret_key(env: dict[str, str]) -> str:
    """Return the SECRET_KEY a freshly started process gets."""
    return settings_of(env, "SECRET_KEY")["SECRET_KEY"]


def test_the_first_start_makes_a_private_key_the_next_starts_read(tmp_path):
    key_file = tmp_path / "data" / "bakery" / "secret_key"
    env = environment(DJANGO_SECRET_KEY_FILE=str(key_file))

    first = secret_key(env)
    second = secret_key(env)

    assert first == second
    assert key_file.read_text(encoding="utf-8") == first + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert sorted(path.name for path in key_file.parent.iterdir()) == ["secret_key"]
    # Long and varied enough for Django's check (security.W009), and in no file of the code.
    assert len(first) >= 50 and len(set(first)) >= 5
    assert not key_file.resolve().is_relative_to(ROOT)
    assert first not in (ROOT / "bakery" / "settings.py").read_text(encoding="utf-8")


def test_each_installation_gets_a_key_of_its_own(tmp_path):
    one = secret_key(environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "one" / "secret_key")))
    other = secret_key(environment(DJANGO_SECRET_KEY_FILE=str(tmp_path / "other" / "secret_key")))

    assert one != other


def test_the_key_is_kept_in_the_users_data_directory_by_default(tmp_path):
    home = tmp_path / "home"
    without_xdg = environment(HOME=str(home))
    without_xdg.pop("XDG_DATA_HOME", None)
    with_xdg = environment(HOME=str(home), XDG_DATA_HOME=str(tmp_path / "xdg"))

    key = secret_key(without_xdg)
    xdg_key = secret_key(with_xdg)

    assert (home / ".local" / "share" / "bakery" / "secret_key").read_text().strip() == key
    assert (tmp_path / "xdg" / "bakery" / "secret_key").read_text().strip() == xdg_key


def test_a_key_given_in_the_environment_is_used_and_nothing_is_written(tmp_path):
    key_file = tmp_path / "secret_key"
    given = "a-key-given-by-the-server's-administrator-" + "x" * 20
    env = environment(DJANGO_SECRET_KEY=given, DJANGO_SECRET_KEY_FILE=str(key_file))

    assert secret_key(env) == given
    assert not key_file.exists()


def test_processes_starting_together_share_one_key(tmp_path):
    key_file = tmp_path / "data" / "secret_key"
    env = {
        **environment(DJANGO_SECRET_KEY_FILE=str(key_file)),
        "DJANGO_SETTINGS_MODULE": "bakery.settings",
    }
    # Each process imports Django first, then waits for its standard input to close, so that
    # all of them reach the settings, and the key, at the same moment.
    code = "import sys, django.conf, dj_database_url\nsys.stdin.read()\n" + SHOW_SETTINGS
    outputs = [tmp_path / f"out{number}" for number in range(8)]
    starts = []
    for output in outputs:
        with output.open("w") as stdout:
            starts.append(
                subprocess.Popen(
                    [sys.executable, "-c", code, "SECRET_KEY"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=stdout,
                    stderr=subprocess.STDOUT,
                )
            )
    for start in starts:
        start.stdin.close()
    for start, output in zip(starts, outputs, strict=True):
        assert start.wait(timeout=120) == 0, output.read_text()
    keys = {output.read_text() for output in outputs}

    assert len(keys) == 1
    assert sorted(path.name for path in key_file.parent.iterdir()) == ["secret_key"]


def test_threads_racing_to_make_the_key_share_one_key(tmp_path):
    key_file = tmp_path / "data" / "secret_key"
    racers = 16
    barrier = threading.Barrier(racers)
    keys = []

    def race():
        barrier.wait()
        keys.append(project_settings._read_or_create_secret_key(key_file))

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(keys) == racers
    assert set(keys) == {key_file.read_text(encoding="utf-8").strip()}
    assert sorted(path.name for path in key_file.parent.iterdir()) == ["secret_key"]


def test_a_key_file_that_cannot_be_made_stops_the_start_saying_what_to_set(tmp_path):
    # A regular file where the directory should be: refused even to root, unlike chmod.
    (tmp_path / "blocker").write_text("")
    key_file = tmp_path / "blocker" / "secret_key"

    done = start_settings(environment(DJANGO_SECRET_KEY_FILE=str(key_file)), "SECRET_KEY")

    assert done.returncode != 0
    assert done.stdout == ""
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "django.core.exceptions.ImproperlyConfigured: No DJANGO_SECRET_KEY is set and the "
        f"secret key file {key_file} cannot be made ("
    )
    assert last_line.endswith(
        "set DJANGO_SECRET_KEY, or DJANGO_SECRET_KEY_FILE to a writable path."
    )


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("secret_key", "DJANGO_SECRET_KEY_FILE must be an absolute path: secret_key"),
        (str(ROOT / "secret_key"), "is inside the project"),
        (str(ROOT / "bakery" / ".." / "keys" / "secret_key"), "is inside the project"),
    ],
)
def test_a_key_file_inside_the_code_or_relative_to_it_is_refused(monkeypatch, given, message):
    monkeypatch.setenv("DJANGO_SECRET_KEY_FILE", given)

    with pytest.raises(ImproperlyConfigured, match=message):
        project_settings._secret_key_file()


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("\n")

    with pytest.raises(ImproperlyConfigured, match="is empty"):
        project_settings._read_or_create_secret_key(key_file)
