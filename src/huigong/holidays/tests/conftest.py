"""Fixtures for the working-day tests: a clean year cache around every test and the seeded
holiday table (``holidays``)."""

from huigong.testing.workdays import fresh_workday_cache, holidays  # noqa: F401  (fixtures)
