"""Fixtures for the working-day tests: a clean per-process year cache around every test
(database rows roll back between tests, the cache would not) and a seeded table."""

import pytest

from huigong.common import workdays


@pytest.fixture(autouse=True)
def _fresh_workday_cache():
    workdays.invalidate_years()
    yield
    workdays.invalidate_years()


@pytest.fixture
def seeded(db) -> int:
    return workdays.seed_holidays()
