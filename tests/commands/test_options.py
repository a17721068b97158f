"""Options are written whole: a prefix of an option is a usage error, never a run of it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from tests.helpers import manage, minimal_document, row_count, sqlite_env, write_document

PROJECT_COMMANDS = sorted(
    name for name, app in get_commands().items() if app in ("bakery", "production", "exchange")
)


def positionals(name: str) -> list[str]:
    """Return a placeholder for each positional argument the command requires."""
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    return [
        "placeholder"
        for action in parser._actions
        if not action.option_strings and action.nargs not in ("?", "*")
    ]


def test_every_command_of_the_project_is_checked():
    assert set(PROJECT_COMMANDS) == {
        "compare_bakery",
        "event_plan",
        "event_progress",
        "export_bakery",
        "generate_bakery",
        "import_bakery",
        "seed_demo",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", PROJECT_COMMANDS)
@pytest.mark.parametrize("prefix", ["--force", "--verb"])
def test_a_prefix_of_an_option_is_a_usage_error(name, prefix):
    before = row_count()
    with pytest.raises(CommandError) as refused:
        call_command(name, *positionals(name), prefix, stdout=StringIO(), stderr=StringIO())

    assert refused.value.returncode == 2
    assert str(refused.value) == f"Error: unrecognized arguments: {prefix}"
    assert row_count() == before


def test_import_with_a_mistyped_option_from_the_shell_names_the_valid_ones(tmp_path):
    path = write_document(tmp_path, minimal_document())
    done = manage(sqlite_env(tmp_path / "db.sqlite3"), "import_bakery", path, "--force")

    assert done.returncode == 2
    usage, error = done.stderr.strip().splitlines()[0], done.stderr.strip().splitlines()[-1]
    assert usage.startswith("usage: manage.py import_bakery [-h] [--mode {merge,update,replace}]")
    assert error == "manage.py import_bakery: error: unrecognized arguments: --force"
    assert done.stdout == ""
