"""FinishedUnit.expected_yield(batches): what a number of batches of a unit should yield."""

from decimal import Decimal

import pytest

from bakery.models import YieldMode
from tests.factories import FinishedUnitFactory


@pytest.mark.parametrize(("batches", "expected"), [(1, 48), (3, 144)])
def test_discrete_unit_yields_items_per_batch_times_batches(batches, expected):
    cookie = FinishedUnitFactory.build(items_per_batch=48)

    assert cookie.expected_yield(batches) == expected


@pytest.mark.parametrize(("batches", "expected"), [(1, 4), (2, 8), (3, 12)])
def test_quarter_batch_portion_yields_four_per_batch(batches, expected):
    quarter = FinishedUnitFactory.build(portion=True, batch_percentage=Decimal("25.0000"))

    assert quarter.expected_yield(batches) == expected


@pytest.mark.parametrize(
    ("percentage", "per_batch"),
    [("100", 1), ("30", 3), ("60", 1), ("12.5", 8)],
)
def test_batch_portion_counts_only_whole_portions_of_a_batch(percentage, per_batch):
    portion = FinishedUnitFactory.build(portion=True, batch_percentage=Decimal(percentage))

    assert portion.expected_yield(2) == 2 * per_batch


def test_discrete_unit_without_items_per_batch_has_no_expected_yield():
    unit = FinishedUnitFactory.build(items_per_batch=None)

    assert unit.expected_yield(3) is None


def test_batch_portion_unit_without_percentage_has_no_expected_yield():
    unit = FinishedUnitFactory.build(yield_mode=YieldMode.BATCH_PORTION, items_per_batch=None)

    assert unit.batch_percentage is None
    assert unit.expected_yield(3) is None


def test_batch_portion_ignores_a_stray_items_per_batch():
    unit = FinishedUnitFactory.build(
        yield_mode=YieldMode.BATCH_PORTION, items_per_batch=48, batch_percentage=Decimal(50)
    )

    assert unit.expected_yield(3) == 6
