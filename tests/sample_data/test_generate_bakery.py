from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F

from bakery.management.commands import generate_bakery as words
from bakery.management.commands.generate_bakery import NOT_EMPTY, Sizes
from bakery.management.commands.seed_demo import seeded_models
from bakery.models import (
    Composition,
    Event,
    EventRecipientPackage,
    FinishedGood,
    FinishedUnit,
    FulfillmentStatus,
    Package,
    Recipe,
    YieldMode,
)
from production.models import AssemblyRun, ProductionRun
from tests.helpers import Rollback

RUNS = 200


def generate(**options):
    """Run generate_bakery and return what it wrote to stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    call_command("generate_bakery", stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def identities():
    """Return the names of every named record and the uuids of every run, by model."""
    found = {}
    for model in seeded_models():
        fields = {f.name for f in model._meta.fields}
        key = "name" if "name" in fields else "uuid" if "uuid" in fields else None
        if key:
            found[model._meta.label] = list(
                model.objects.order_by("pk").values_list(key, flat=True)
            )
    return found


@pytest.fixture
def generated(db):
    """A database filled by generate_bakery with a small number of runs."""
    return generate(runs=RUNS, seed=7)


def test_generate_bakery_writes_every_model_and_reports_the_counts(generated):
    stdout, stderr = generated

    for model in seeded_models():
        count = model.objects.count()
        assert count, model._meta.label
        assert f"{count} {model._meta.verbose_name_plural}" in stdout
    assert stdout.startswith("Generated a synthetic bakery (seed 7) of ")
    assert stderr == ""
    assert ProductionRun.objects.count() == RUNS
    assert AssemblyRun.objects.count() == RUNS // 2


@pytest.mark.slow
def test_generated_records_pass_full_clean(generated):
    for model in seeded_models():
        for record in model.objects.all():
            record.full_clean()


def test_generated_production_runs_make_units_of_their_recipe(generated):
    assert not ProductionRun.objects.exclude(finished_unit__recipe=F("recipe")).exists()


def test_generated_runs_are_standalone_or_for_an_event(generated):
    for model in (ProductionRun, AssemblyRun):
        standalone = model.objects.filter(event__isnull=True).count()
        assert 0 < standalone < model.objects.count() / 4, model._meta.label


def test_generated_assignments_cover_every_fulfillment_status(generated):
    statuses = set(EventRecipientPackage.objects.values_list("fulfillment_status", flat=True))
    assert statuses == set(FulfillmentStatus.values)


def test_generated_catalog_has_both_yield_modes_templates_and_nested_goods(generated):
    modes = set(FinishedUnit.objects.values_list("yield_mode", flat=True))
    assert modes == set(YieldMode.values)
    assert Package.objects.filter(is_template=True).exists()
    assert Composition.objects.filter(finished_good__isnull=False).exists()
    assert Recipe.objects.filter(ingredients__isnull=True).count() == 0


def test_generated_compositions_form_no_cycle(generated):
    edges = {}
    for assembly, good in Composition.objects.filter(finished_good__isnull=False).values_list(
        "assembly_id", "finished_good_id"
    ):
        edges.setdefault(assembly, []).append(good)
    for good in FinishedGood.objects.values_list("pk", flat=True):
        seen, todo = set(), list(edges.get(good, ()))
        while todo:
            child = todo.pop()
            assert child != good, f"good {good} contains itself"
            if child not in seen:
                seen.add(child)
                todo.extend(edges.get(child, ()))


def test_generated_times_are_aware_and_decimals_have_four_places(generated):
    run = ProductionRun.objects.first()
    assert run.produced_at.tzinfo is not None
    assert AssemblyRun.objects.first().assembled_at.tzinfo is not None
    assert run.total_ingredient_cost.as_tuple().exponent == -4
    assert run.per_unit_cost.as_tuple().exponent == -4


def test_generated_events_span_years(generated):
    assert Event.objects.values("year").distinct().count() >= 2


def test_generate_bakery_repeats_names_and_uuids_for_the_same_seed(db):
    with pytest.raises(Rollback), transaction.atomic():
        generate(runs=RUNS, seed=11, verbosity=0)
        first = identities()
        raise Rollback

    with pytest.raises(Rollback), transaction.atomic():
        generate(runs=RUNS, seed=12, verbosity=0)
        other = identities()
        raise Rollback

    generate(runs=RUNS, seed=11, verbosity=0)

    assert identities() == first
    assert other["production.ProductionRun"] != first["production.ProductionRun"]
    assert other["bakery.Recipe"] != first["bakery.Recipe"]


def test_generate_bakery_refuses_a_database_with_any_bakery_record(db):
    Package.objects.create(name="Someone's package")

    with pytest.raises(CommandError) as raised:
        generate(runs=RUNS)

    assert str(raised.value) == NOT_EMPTY.format(count=1)
    assert raised.value.returncode == 1
    assert Package.objects.count() == 1
    assert not ProductionRun.objects.exists()


def test_generate_bakery_refuses_fewer_than_one_run(db):
    with pytest.raises(CommandError, match="--runs must be at least 1, got 0"):
        generate(runs=0)


def test_generate_bakery_at_verbosity_zero_says_nothing(db):
    assert generate(runs=RUNS, verbosity=0) == ("", "")


def test_sizes_keep_a_catalog_of_thousands_as_runs_grow():
    default = Sizes.for_runs(20_000)
    million = Sizes.for_runs(1_000_000)

    assert (default.recipes, default.finished_units, default.recipients) == (1000, 1500, 2000)
    assert (default.events, default.assignments) == (50, 5000)
    assert million.assembly_runs == 500_000
    assert 1000 < million.recipes <= 3000
    assert 2000 < million.recipients <= 6000
    assert Sizes.for_runs(RUNS).recipes < default.recipes


def test_word_lists_name_a_million_run_catalog_without_numbering():
    sizes = Sizes.for_runs(1_000_000)

    assert len(words.INGREDIENT_QUALIFIERS) * len(words.INGREDIENT_BASES) >= sizes.ingredients
    assert len(words.RECIPE_STYLES) * len(words.RECIPE_FLAVORS) * len(words.KINDS) >= sizes.recipes
    assert (
        len(words.GOOD_STYLES) * len(words.GOOD_THEMES) * len(words.GOOD_CONTAINERS)
        >= sizes.finished_goods
    )
    assert (
        len(words.PACKAGE_FOR) * len(words.PACKAGE_STYLES) * len(words.PACKAGE_KINDS)
        >= sizes.packages
    )
    assert len(words.FIRST_NAMES) * len(words.LAST_NAMES) >= sizes.recipients
    assert len(words.HOLIDAYS) * (words.LAST_EVENT_YEAR - 2000) >= sizes.events
