"""A name that is not found gets the closest existing one: "did you mean 'Christmas 2025'?"."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bakery.suggest import closest, did_you_mean
from tests.factories import EventFactory

CHRISTMASES = ["Christmas 2024", "Christmas 2025", "CHRISTMAS 2026"]


def test_a_name_in_another_case_suggests_that_name_before_any_other():
    # Compared as typed, "CHRISTMAS 2026" is the closest to "CHRISTMAS 2025".
    assert did_you_mean("CHRISTMAS 2025", CHRISTMASES) == "; did you mean 'Christmas 2025'?"
    assert did_you_mean("christmas 2025", CHRISTMASES) == "; did you mean 'Christmas 2025'?"


def test_a_misspelt_name_suggests_the_closest_ignoring_case():
    assert did_you_mean("cristmas 2024", CHRISTMASES) == "; did you mean 'Christmas 2024'?"
    assert did_you_mean("Xmas 2025", ["Easter 2026", "Christmas 2025"]) == (
        "; did you mean 'Christmas 2025'?"
    )
    assert closest("christmas 2026", CHRISTMASES) == "CHRISTMAS 2026"


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("Nowhere 2099", ["Christmas 2025", "Easter 2026"]),
        ("Easter 2026", ["Easter 2026"]),
        ("Easter 2026", []),
    ],
)
def test_no_suggestion_when_nothing_else_is_close(name, candidates):
    assert did_you_mean(name, candidates) == ""
    assert closest(name, candidates) is None


def test_candidates_may_be_any_iterable():
    assert did_you_mean("easter", (name for name in ["Easter", "Christmas"])) == (
        "; did you mean 'Easter'?"
    )


@pytest.fixture
def events(db):
    for name, day in [("Christmas 2025", (2025, 12, 24)), ("Easter 2026", (2026, 4, 5))]:
        EventFactory(name=name, event_date=datetime.date(*day))


def refused(*args) -> CommandError:
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command(*args, stdout=out, stderr=StringIO())
    assert out.getvalue() == ""
    return excinfo.value


def test_event_progress_suggests_the_event_a_name_in_another_case_means(events):
    error = refused("event_progress", "christmas 2025")

    assert (error.returncode, str(error)) == (
        1,
        "No event named 'christmas 2025'; did you mean 'Christmas 2025'?",
    )


def test_event_progress_suggests_for_each_unknown_name_that_has_a_close_one(events):
    error = refused("event_progress", "Easter 2026", "christmas 2025", "Nope", "Ester 2026")

    assert (error.returncode, str(error)) == (
        1,
        "No events named 'christmas 2025' (did you mean 'Christmas 2025'?), 'Nope', "
        "'Ester 2026' (did you mean 'Easter 2026'?).",
    )


def test_event_progress_without_a_close_name_says_only_what_is_unknown(events):
    assert str(refused("event_progress", "Nope")) == "No event named 'Nope'."


def test_export_of_an_unknown_event_suggests_the_closest(events):
    error = refused("export_bakery", "--event", "christmas 2025", "--event", "Xmas 2025")

    assert (error.returncode, str(error)) == (
        1,
        "--event: no event named 'christmas 2025' in the database; did you mean "
        "'Christmas 2025'?\n"
        "--event: no event named 'Xmas 2025' in the database; did you mean 'Christmas 2025'?",
    )


def test_export_of_an_unknown_event_with_nothing_close_names_only_it(events):
    error = refused("export_bakery", "--event", "Nowhere 2099")

    assert str(error) == "--event: no event named 'Nowhere 2099' in the database"


def test_a_short_word_a_baker_writes_is_spelled_out_before_comparing():
    # By spelling alone "Xmas" and "Christmas 2025" are too far apart (difflib: 0.33).
    assert did_you_mean("Xmas", ["Easter 2026", "Christmas 2025"]) == (
        "; did you mean 'Christmas 2025'?"
    )


def test_export_of_event_xmas_suggests_christmas(db):
    EventFactory(name="Christmas 2025")

    error = refused("export_bakery", "--event", "Xmas")

    assert str(error) == (
        "--event: no event named 'Xmas' in the database; did you mean 'Christmas 2025'?"
    )
