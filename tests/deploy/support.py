"""Run the project in fresh processes with an environment the test chooses."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Running it for a small shop"


def environment(**variables: str) -> dict[str, str]:
    """Return this process's environment without any DJANGO_ variable, plus the given ones.

    A test names every setting it relies on, whatever the shell that runs pytest exports.
    """
    kept = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    return {**kept, "PYTHONUNBUFFERED": "1", **variables}


def manage(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run manage.py in the project root, as the README does."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# Prints the named settings as JSON, as a freshly started process of the project sees them.
SHOW_SETTINGS = (
    "import json, sys\n"
    "from django.conf import settings\n"
    "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}))\n"
)


def start_settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh process; the result's stdout is JSON when it succeeded."""
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS, *names],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bakery.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(env: dict[str, str], *names: str) -> dict:
    """Return the named settings as a fresh process with env sees them."""
    done = start_settings(env, *names)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def readme_section() -> str:
    """Return the README's section on running the site on a server."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"the README has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1]
    return section.split("\n## ", 1)[0]


def readme_server_variables() -> dict[str, str]:
    """Return the variables the README's section exports for a server, by name."""
    block = re.search(r"```sh\n(.*?)```", readme_section(), re.DOTALL)
    assert block, "the README's section has no sh block"
    variables = dict(re.findall(r"^export ([A-Z_]+)=(\S+)$", block.group(1), re.MULTILINE))
    assert variables, "the README's first sh block exports no variable"
    return variables
