"""Fixtures for the inspection tests, shared with the tests of the apps they build on:
the holiday table, case categories (for cases opened from findings), the county's
labour inspection brigade and ``at`` (an aware datetime in China time) from the cases
tests; the demo county loaded once per module from the demo tests."""

from huigong.cases.tests.conftest import (  # noqa: F401  (fixtures)
    _fresh_workday_cache,
    at,
    categories,
    holidays,
    labour_inspection,
)
from huigong.demo.tests.conftest import demo_output  # noqa: F401  (fixture)
