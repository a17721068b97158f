"""With the variables the README gives a server, Django's deployment checks find nothing."""

import re

import pytest

from tests.deploy.support import ROOT, environment, manage, readme_section, readme_server_variables


def server_environment(tmp_path, **changes: str) -> dict[str, str]:
    """Return exactly the README's server variables over a clean environment.

    The key file moves from /var/lib into tmp_path: a test may not write there.
    """
    variables = readme_server_variables()
    assert "DJANGO_SECRET_KEY_FILE" in variables
    variables["DJANGO_SECRET_KEY_FILE"] = str(tmp_path / "keys" / "secret_key")
    variables.update(changes)
    return environment(**{name: value for name, value in variables.items() if value})


def test_the_readme_gives_a_server_the_database_hosts_https_and_key():
    assert set(readme_server_variables()) == {
        "DATABASE_URL",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_HTTPS",
        "DJANGO_SECRET_KEY_FILE",
    }
    assert readme_server_variables()["DATABASE_URL"].startswith("postgres://")


def test_the_readme_names_every_variable_the_settings_read():
    source = (ROOT / "bakery" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(DJANGO_[A-Z_]+|XDG_DATA_HOME)"', source))
    assert read >= {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DJANGO_HTTPS"}
    section = readme_section()
    missing = {name for name in read if f"`{name}" not in section and f"${name}" not in section}
    assert missing == set()


def test_check_deploy_reports_no_issue_with_exactly_the_readme_variables(tmp_path):
    # check does not connect to the database: the README's PostgreSQL URL is taken as it is.
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=server_environment(tmp_path))

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in done.stdout
    assert "WARNINGS" not in output
    assert "ERRORS" not in output
    # The key was made where the variables say, and is good enough for check (no W009).
    assert (tmp_path / "keys" / "secret_key").stat().st_size > 50


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Plain http: what the local defaults are, and what check --deploy must object to.
        ({"DJANGO_HTTPS": ""}, ["security.W004", "security.W008", "security.W012", "W016"]),
        ({"DJANGO_DEBUG": "1"}, ["security.W018"]),
        ({"DJANGO_HSTS_SECONDS": "0"}, ["security.W004"]),
    ],
    ids=["plain http", "debug", "no HSTS"],
)
def test_check_deploy_objects_when_a_server_variable_is_changed(tmp_path, changes, expected):
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=server_environment(tmp_path, **changes)
    )

    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for code in expected:
        assert code in output
