import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from bakery.management.commands.seed_demo import ALREADY_SEEDED, seed_demo, seeded_models
from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    FulfillmentStatus,
    Package,
    YieldMode,
)
from production.models import AssemblyRun, EventAssemblyTarget, EventProductionTarget, ProductionRun
from tests.helpers import (
    DEMO_TODAY,
    Rollback,
    export_document,
    manage,
    row_count,
    snapshot,
    sqlite_env,
    without_exported_at,
)


def seed(today=DEMO_TODAY, **options):
    """Run seed_demo for a day (the real today for None); return its stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    days = ["--today", today] if today else []
    call_command("seed_demo", *days, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def events():
    """Return the (name, date) of every event, in date order."""
    return [(event.name, event.event_date.isoformat()) for event in Event.objects.all()]


def run_times():
    """Return the time of every run by its uuid."""
    return {
        **dict(ProductionRun.objects.values_list("uuid", "produced_at")),
        **dict(AssemblyRun.objects.values_list("uuid", "assembled_at")),
    }


def midnight(day: str) -> datetime.datetime:
    """Return the start of a day written YYYY-MM-DD, in UTC."""
    return datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)


@pytest.fixture
def seeded(db):
    """A database filled by seed_demo for DEMO_TODAY."""
    seed()


def test_seed_demo_creates_records_of_every_model_and_summarizes_them(db):
    stdout, stderr = seed()

    for model in seeded_models():
        assert model.objects.exists(), model._meta.label
    assert stderr == ""
    assert stdout.startswith(
        "Seeded the demo bakery, 67 records and 35 nested lines: 9 ingredients, 5 recipes, "
    )
    assert stdout.count("\n") == 1
    for model in seeded_models():
        assert f"{model.objects.count()} {model._meta.verbose_name_plural}" in stdout


def test_seed_demo_assigns_packages_in_every_fulfillment_status(seeded):
    statuses = set(EventRecipientPackage.objects.values_list("fulfillment_status", flat=True))
    assert statuses == set(FulfillmentStatus.values)
    assert Package.objects.filter(is_template=True).count() == 1


def test_seed_demo_records_standalone_and_event_runs(seeded):
    for model in (ProductionRun, AssemblyRun):
        assert model.objects.filter(event__isnull=True).exists()
        assert model.objects.filter(event__isnull=False).exists()
    run = ProductionRun.objects.get(event__name="Christmas 2025", actual_yield=94)
    assert str(run.per_unit_cost) == "0.1330"
    assert run.produced_at.tzinfo is not None


def test_seed_demo_nests_gift_boxes_in_the_gift_tin(seeded):
    tin = FinishedGood.objects.get(name="Holiday Gift Tin")
    components = {(c.component.name, c.quantity) for c in Composition.objects.filter(assembly=tin)}
    assert components == {("Cookie Gift Box", 2), ("Fruitcake Quarter", 1)}
    assert FinishedGood.objects.get(name="Cookie Gift Box").pk in tin.contained_goods()


def test_seed_demo_yields_in_both_modes(seeded):
    cookie = FinishedUnit.objects.get(name="Chocolate Chip Cookie")
    quarter = FinishedUnit.objects.get(name="Fruitcake Quarter")
    assert (cookie.yield_mode, cookie.items_per_batch) == (YieldMode.DISCRETE_COUNT, 48)
    assert (quarter.yield_mode, str(quarter.batch_percentage)) == (
        YieldMode.BATCH_PORTION,
        "25.0000",
    )


def test_seed_demo_records_pass_full_clean(seeded):
    for model in seeded_models():
        for record in model.objects.all():
            record.full_clean()


def test_seed_demo_twice_changes_nothing_and_says_so(seeded):
    before = snapshot()

    stdout, stderr = seed()

    assert snapshot() == before
    assert stdout == ""
    assert stderr == ALREADY_SEEDED + "\n"


def test_seed_demo_skips_a_database_with_any_bakery_record(db):
    Package.objects.create(name="Someone's package")

    stdout, stderr = seed()

    assert Package.objects.count() == 1
    assert stderr == ALREADY_SEEDED + "\n"


def test_seed_demo_at_verbosity_zero_says_nothing(db):
    assert seed(verbosity=0) == ("", "")
    assert seed(verbosity=0) == ("", "")


def test_seed_demo_makes_the_same_runs_in_every_database(db):
    with pytest.raises(Rollback), transaction.atomic():
        seed()
        first = set(run_times())
        raise Rollback

    stdout, _ = seed()

    assert stdout.startswith("Seeded the demo bakery")
    again = set(run_times())
    assert again == first
    assert len(again) == ProductionRun.objects.count() + AssemblyRun.objects.count()


def test_seed_demo_for_the_pinned_day_is_the_demo_of_december_2025(seeded):
    assert events() == [
        ("Christmas 2025", "2025-12-25"),
        ("New Year 2026", "2026-01-01"),
        ("Valentine's Day 2026", "2026-02-14"),
    ]
    trial = ProductionRun.objects.get(uuid="850b477e-0e88-50df-8a0b-b0472e694a7f")
    assert (trial.event, trial.notes) == (None, "Trial batch in the new oven")
    assert sorted(at.isoformat() for at in run_times().values()) == [
        "2025-12-01T09:00:00+00:00",
        "2025-12-02T13:00:00+00:00",
        "2025-12-05T17:00:00+00:00",
        "2025-12-15T10:00:00+00:00",
        "2025-12-16T14:00:00+00:00",
        "2025-12-17T11:00:00+00:00",
        "2025-12-18T10:00:00+00:00",
        "2025-12-19T15:00:00+00:00",
        "2025-12-20T09:00:00+00:00",
        "2025-12-20T10:00:00+00:00",
        "2025-12-20T14:00:00+00:00",
        "2025-12-20T16:00:00+00:00",
        "2025-12-20T18:00:00+00:00",
    ]
    boxes = AssemblyRun.objects.get(uuid="7ee8b30d-fa05-5065-80c4-221135ac7104")
    assert (boxes.event.name, boxes.assembled_at.isoformat()) == (
        "New Year 2026",
        "2025-12-20T18:00:00+00:00",
    )


# The month and day of each event of the demo, by its name before the year.
MONTH_DAYS = {"Christmas": "12-25", "New Year": "01-01", "Valentine's Day": "02-14"}


@pytest.mark.parametrize(
    "today, expected",
    [
        ("2025-12-21", ["Christmas 2025", "New Year 2026", "Valentine's Day 2026"]),
        ("2025-12-24", ["Christmas 2025", "New Year 2026", "Valentine's Day 2026"]),
        ("2025-12-25", ["Christmas 2025", "New Year 2026", "Valentine's Day 2026"]),
        ("2025-12-26", ["New Year 2026", "Valentine's Day 2026", "Christmas 2026"]),
        ("2025-12-31", ["New Year 2026", "Valentine's Day 2026", "Christmas 2026"]),
        ("2026-01-01", ["New Year 2026", "Valentine's Day 2026", "Christmas 2026"]),
        ("2026-01-02", ["Valentine's Day 2026", "Christmas 2026", "New Year 2027"]),
        ("2026-02-14", ["Valentine's Day 2026", "Christmas 2026", "New Year 2027"]),
        ("2026-02-15", ["Christmas 2026", "New Year 2027", "Valentine's Day 2027"]),
        ("2026-11-29", ["Christmas 2026", "New Year 2027", "Valentine's Day 2027"]),
        ("2028-02-13", ["Valentine's Day 2028", "Christmas 2028", "New Year 2029"]),
        ("2028-02-29", ["Christmas 2028", "New Year 2029", "Valentine's Day 2029"]),
    ],
)
def test_seed_demo_places_the_next_christmas_new_year_and_valentines_day(db, today, expected):
    seed(today)

    assert [name for name, _ in events()] == expected
    assert [date for _, date in events()] == [
        f"{name[-4:]}-{MONTH_DAYS[name[:-5]]}" for name in expected
    ]


def test_seed_demo_gives_each_event_its_own_targets_assignments_and_runs(db):
    seed("2026-01-02")

    def per_event(model):
        return Counter(model.objects.values_list("event__name", flat=True))

    christmas, new_year, valentines = "Christmas 2026", "New Year 2027", "Valentine's Day 2026"
    assert per_event(EventProductionTarget) == {christmas: 5, new_year: 2, valentines: 1}
    assert per_event(EventAssemblyTarget) == {christmas: 3, new_year: 1, valentines: 1}
    assert per_event(EventRecipientPackage) == {christmas: 5, new_year: 2, valentines: 1}
    assert per_event(ProductionRun) == {None: 1, christmas: 6, new_year: 1}
    assert per_event(AssemblyRun) == {None: 1, christmas: 3, new_year: 1}
    assert Event.objects.get(name=christmas).notes == "Cookie exchange on the 20th."
    assert EventProductionTarget.objects.get(event__name=valentines).notes == "Pink icing"


@pytest.mark.parametrize("today", ["2025-12-26", "2028-02-29", "2026-07-04", "2030-01-01"])
def test_seed_demo_keeps_every_run_at_its_distance_from_today(db, today):
    with pytest.raises(Rollback), transaction.atomic():
        seed(DEMO_TODAY)
        pinned = {key: at - midnight(DEMO_TODAY) for key, at in run_times().items()}
        raise Rollback

    seed(today)

    assert {key: at - midnight(today) for key, at in run_times().items()} == pinned


def test_seed_demo_did_its_work_in_the_weeks_before_today(db):
    seed("2026-07-04")

    done = [
        *ProductionRun.objects.values_list("produced_at", flat=True),
        *AssemblyRun.objects.values_list("assembled_at", flat=True),
    ]
    assert len(done) == 13
    assert min(done) == datetime.datetime(2026, 6, 14, 9, tzinfo=datetime.UTC)
    assert max(done) == datetime.datetime(2026, 7, 3, 18, tzinfo=datetime.UTC)
    assert all(at < midnight("2026-07-04") for at in done)


@pytest.mark.parametrize("today", [DEMO_TODAY, "2027-03-09"])
def test_seed_demo_for_the_same_day_makes_the_same_database(db, today):
    with pytest.raises(Rollback), transaction.atomic():
        seed(today)
        first = without_exported_at(export_document())
        raise Rollback

    seed(today)

    assert without_exported_at(export_document()) == first


def test_seed_demo_for_another_day_changes_only_the_events_and_what_names_them(db):
    with pytest.raises(Rollback), transaction.atomic():
        seed(DEMO_TODAY)
        pinned = snapshot(ids=False)
        raise Rollback

    seed("2026-12-21")

    again = snapshot(ids=False)
    assert {label for label in pinned if again[label] != pinned[label]} == {
        "bakery.Event",
        "bakery.EventRecipientPackage",
        "production.EventProductionTarget",
        "production.EventAssemblyTarget",
        "production.ProductionRun",
        "production.AssemblyRun",
    }


def test_seed_demo_function_takes_a_date(db):
    assert seed_demo(datetime.date(2031, 12, 25)) is True

    assert events()[0] == ("Christmas 2031", "2031-12-25")
    assert seed_demo(datetime.date(2031, 12, 25)) is False


def test_seed_demo_without_today_places_the_events_after_the_current_date(db):
    before = timezone.localdate()
    seed(None)
    after = timezone.localdate()

    assert len(events()) == 3
    for event in Event.objects.all():
        assert before <= event.event_date
        assert event.event_date < after.replace(year=after.year + 1)
        assert event.name.endswith(f" {event.event_date.year}")
    earliest = min(run_times().values()).date()
    assert earliest in {day - datetime.timedelta(days=20) for day in (before, after)}


BAD_DAYS = [
    ("tomorrow", "must be a date as YYYY-MM-DD, got 'tomorrow'"),
    ("", "must be a date as YYYY-MM-DD, got ''"),
    ("20251221", "must be a date as YYYY-MM-DD, got '20251221'"),
    ("2025-12-21T10:00", "must be a date as YYYY-MM-DD, got '2025-12-21T10:00'"),
    ("2025-13-01", "must be a real date, got '2025-13-01' (month must be in 1..12)"),
    ("2025-02-29", "must be a real date, got '2025-02-29' (day is out of range for month)"),
    ("0001-01-01", "must be a date from 0001-01-21 to 9998-12-31, got '0001-01-01'"),
    ("9999-02-14", "must be a date from 0001-01-21 to 9998-12-31, got '9999-02-14'"),
]


@pytest.mark.parametrize("text, message", BAD_DAYS)
def test_seed_demo_refuses_a_bad_today_as_a_usage_error(db, text, message):
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    with pytest.raises(CommandError) as parsed:
        call_command("seed_demo", f"--today={text}", **quiet)
    with pytest.raises(CommandError) as given:
        call_command("seed_demo", today=text, **quiet)

    for error in (parsed.value, given.value):
        assert error.returncode == 2
        assert str(error) == f"Error: argument --today: {message}"
    assert row_count() == 0


def test_seed_demo_with_a_bad_today_from_the_shell_exits_2_with_one_line(tmp_path):
    done = manage(sqlite_env(tmp_path / "db.sqlite3"), "seed_demo", "--today", "2025-02-30")

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("usage: manage.py seed_demo [-h] [--today YYYY-MM-DD]")
    assert done.stderr.strip().splitlines()[-1] == (
        "manage.py seed_demo: error: argument --today: must be a real date, got '2025-02-30' "
        "(day is out of range for month)"
    )
