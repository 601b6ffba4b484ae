"""Fixtures for the tests that count working days: a clean per-process year cache around
every test (holiday rows roll back between tests, the cache would not) and the seeded
holiday table. A ``conftest.py`` imports them where its tests need them."""

from __future__ import annotations

import pytest

from huigong.common import workdays


@pytest.fixture(autouse=True)
def fresh_workday_cache():
    workdays.invalidate_years()
    yield
    workdays.invalidate_years()


@pytest.fixture
def holidays(db) -> int:
    """The holiday table seeded from the ``chinese_calendar`` package; the rows written."""
    return workdays.seed_holidays()
