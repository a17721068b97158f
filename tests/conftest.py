"""Shared fixtures for the bakery tests."""

import pytest

from tests.factories import build_bakery


@pytest.fixture
def bakery(db):
    """A whole consistent bakery covering every model and status."""
    return build_bakery()
