import datetime
import itertools
import json
import os
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from bakery.models import FulfillmentStatus
from production.management.commands.event_progress import percent_text, progress_bar
from tests.factories import (
    AssemblyRunFactory,
    EventAssemblyTargetFactory,
    EventFactory,
    EventProductionTargetFactory,
    EventRecipientPackageFactory,
    FinishedGoodFactory,
    ProductionRunFactory,
    RecipeFactory,
)
from tests.helpers import manage

CHRISTMAS_TABLE = """\
Christmas 2025 (2025-12-24)
===========================
Production
  Chocolate Chip Cookies  3/4 batches   (75%)  [###############-----]
  Shortbread              3/2 batches  (150%)  [####################]  ✓ complete
Assembly
  Cookie Gift Box         7/10          (70%)  [##############------]
Packages: 1 pending, 1 ready, 1 delivered (3 total)
Targets complete: 1/3
"""

CHRISTMAS_DATA = {
    "event": "Christmas 2025",
    "production": [
        {
            "recipe_name": "Chocolate Chip Cookies",
            "target_batches": 4,
            "produced_batches": 3,
            "produced_yield": 140,
            "progress_pct": 75.0,
            "is_complete": False,
        },
        {
            "recipe_name": "Shortbread",
            "target_batches": 2,
            "produced_batches": 3,
            "produced_yield": 60,
            "progress_pct": 150.0,
            "is_complete": True,
        },
    ],
    "assembly": [
        {
            "finished_good_name": "Cookie Gift Box",
            "target_quantity": 10,
            "assembled_quantity": 7,
            "progress_pct": 70.0,
            "is_complete": False,
        }
    ],
    "packages": {"pending": 1, "ready": 1, "delivered": 1, "total": 3},
}


def run(*args):
    """Run event_progress and return what it wrote to stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    call_command("event_progress", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def headings(table):
    """Return the event headings of a table report, in order."""
    lines = table.splitlines()
    return [line for line, below in itertools.pairwise(lines) if set(below) == {"="}]


@pytest.fixture
def christmas(db):
    """Christmas 2025: two production targets, one assembly target, a package per status."""
    event = EventFactory(name="Christmas 2025", event_date=datetime.date(2025, 12, 24))
    for name, target, produced, produced_yield in [
        ("Chocolate Chip Cookies", 4, 3, 140),
        ("Shortbread", 2, 3, 60),
    ]:
        recipe = RecipeFactory(name=name)
        EventProductionTargetFactory(event=event, recipe=recipe, target_batches=target)
        ProductionRunFactory(
            event=event,
            finished_unit__recipe=recipe,
            num_batches=produced,
            actual_yield=produced_yield,
        )
    box = FinishedGoodFactory(name="Cookie Gift Box")
    EventAssemblyTargetFactory(event=event, finished_good=box, target_quantity=10)
    AssemblyRunFactory(event=event, finished_good=box, quantity_assembled=7)
    for status in FulfillmentStatus.values:
        EventRecipientPackageFactory(event=event, fulfillment_status=status)
    return event


@pytest.fixture
def events_around_today(db):
    """Four target-less events: two upcoming, two past, created out of date order."""
    today = timezone.localdate()
    for days, name in [(-200, "Long ago"), (45, "Later"), (-3, "Just past"), (5, "Soon")]:
        EventFactory(name=name, event_date=today + datetime.timedelta(days=days))


def test_table_shows_each_target_with_a_bar_its_packages_and_completed_targets(christmas):
    stdout, stderr = run("Christmas 2025")

    assert stdout == CHRISTMAS_TABLE
    assert stderr == ""


def test_table_says_no_targets_set_for_an_event_without_targets(db):
    event = EventFactory(name="Easter 2026", event_date=datetime.date(2026, 4, 5))
    EventRecipientPackageFactory(event=event)

    stdout, _ = run("Easter 2026")

    assert stdout == (
        "Easter 2026 (2026-04-05)\n"
        "========================\n"
        "No targets set.\n"
        "Packages: 1 pending, 0 ready, 0 delivered (1 total)\n"
    )


def test_table_without_names_shows_every_event_nearest_upcoming_first(events_around_today):
    stdout, _ = run()

    assert [heading.split(" (")[0] for heading in headings(stdout)] == [
        "Soon",
        "Later",
        "Just past",
        "Long ago",
    ]


def test_table_separates_events_with_a_blank_line(christmas):
    EventFactory(name="Easter 2026", event_date=datetime.date(2026, 4, 5))

    stdout, _ = run("Christmas 2025", "Easter 2026")

    assert stdout.startswith(CHRISTMAS_TABLE + "\nEaster 2026 (2026-04-05)\n")


def test_table_without_any_event_writes_nothing_and_says_so_on_stderr(db):
    assert run() == ("", "No events yet.\n")


def test_table_without_any_event_at_verbosity_zero_says_nothing(db):
    assert run("--verbosity", "0") == ("", "")


def test_json_for_one_named_event_is_one_object(christmas):
    stdout, _ = run("Christmas 2025", "--format", "json")

    assert json.loads(stdout) == CHRISTMAS_DATA


def test_json_for_several_named_events_is_a_list_in_the_order_asked(christmas):
    EventFactory(name="Easter 2026")

    stdout, _ = run("Easter 2026", "Christmas 2025", "--format", "json")

    assert json.loads(stdout) == [
        {
            "event": "Easter 2026",
            "production": [],
            "assembly": [],
            "packages": {"pending": 0, "ready": 0, "delivered": 0, "total": 0},
        },
        CHRISTMAS_DATA,
    ]


def test_json_without_names_is_a_list_of_every_event_nearest_upcoming_first(
    events_around_today,
):
    stdout, _ = run("--format", "json")

    assert [item["event"] for item in json.loads(stdout)] == [
        "Soon",
        "Later",
        "Just past",
        "Long ago",
    ]


def test_json_without_any_event_is_an_empty_list(db):
    stdout, _ = run("--format", "json")

    assert json.loads(stdout) == []


def test_json_keeps_non_ascii_names_readable(db):
    EventFactory(name="Fête de Noël")

    stdout, _ = run("Fête de Noël", "--format", "json")

    assert '"event": "Fête de Noël"' in stdout


def test_unknown_event_name_is_refused_naming_it(db):
    with pytest.raises(CommandError) as excinfo:
        run("Xmas")

    assert str(excinfo.value) == "No event named 'Xmas'."
    assert excinfo.value.returncode == 1


def test_every_unknown_event_name_is_refused_in_one_message(christmas):
    with pytest.raises(CommandError) as excinfo:
        run("Xmas", "Christmas 2025", "Easter", "--format", "json")

    assert str(excinfo.value) == (
        "No events named 'Xmas' (did you mean 'Christmas 2025'?), 'Easter'."
    )
    assert excinfo.value.returncode == 1


@pytest.mark.parametrize(
    ("pct", "bar"),
    [
        ("0.0", "[--------------------]"),
        ("4.9", "[--------------------]"),
        ("75.0", "[###############-----]"),
        ("99.9", "[###################-]"),
        ("100.0", "[####################]"),
        ("250.0", "[####################]"),
    ],
)
def test_progress_bar_has_a_fixed_width_and_is_full_only_from_100_percent(pct, bar):
    assert progress_bar(Decimal(pct)) == bar


@pytest.mark.parametrize(
    ("pct", "text"),
    [("75.0", "75%"), ("150.0", "150%"), ("66.7", "66.7%"), ("0.0", "0%")],
)
def test_percent_text_drops_a_trailing_zero_decimal(pct, text):
    assert percent_text(Decimal(pct)) == text


@pytest.fixture(scope="module")
def empty_database_env(tmp_path_factory):
    """Return an environment pointing manage.py at a freshly migrated SQLite file."""
    path = tmp_path_factory.mktemp("event_progress") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    manage(env, "migrate", "--verbosity", "0", check=True)
    return env


def test_unknown_event_from_the_shell_exits_1_with_the_message_and_no_traceback(
    empty_database_env,
):
    result = manage(empty_database_env, "event_progress", "Nope")

    assert result.returncode == 1
    assert result.stderr == "CommandError: No event named 'Nope'.\n"
    assert result.stdout == ""


def test_json_from_the_shell_on_an_empty_database_exits_0_with_an_empty_list(
    empty_database_env,
):
    result = manage(empty_database_env, "event_progress", "--format", "json")

    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_an_event_name_typed_decomposed_or_with_spaces_finds_the_event(christmas):
    # The stored name is composed (NFC): a name typed decomposed is composed to look it up.
    christmas.name = "Noël 2025"
    christmas.save()

    stdout, _ = run(" Noe\u0308l 2025 ")

    assert stdout.splitlines()[0] == "Noël 2025 (2025-12-24)"
