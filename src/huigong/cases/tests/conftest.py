"""Fixtures for the cases tests: the seeded categories and holiday table, a grid, a
partner department, and helpers that build cases through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from huigong.cases.models import CaseCategory
from huigong.cases.services import seed_categories, submit_case
from huigong.common import workdays
from huigong.orgs.models import Grid
from huigong.partners.models import Department, DepartmentKind
from huigong.testing.factories import make_id_number

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime in China time (what "today" means for deadlines)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_workday_cache():
    # Holiday rows roll back between tests; the per-process year cache would not.
    workdays.invalidate_years()
    yield
    workdays.invalidate_years()


@pytest.fixture
def holidays(db) -> int:
    return workdays.seed_holidays()


@pytest.fixture
def categories(db, holidays) -> dict[str, CaseCategory]:
    seed_categories()
    return {c.code: c for c in CaseCategory.objects.all()}


@pytest.fixture
def wage(categories) -> CaseCategory:
    return categories["wage_arrears"]


@pytest.fixture
def grid(tree) -> Grid:
    return Grid.objects.add_root(
        instance=Grid(organization=tree.huangtupu, name="黄土铺第一网格", level="grid")
    )


@pytest.fixture
def labour_inspection(tree) -> Department:
    return Department.objects.create(
        organization=tree.county,
        name="祁东县劳动保障监察大队",
        kind=DepartmentKind.LABOUR_INSPECTION,
        response_days=5,
    )


@pytest.fixture
def make_case(tree, wage, station_staff):
    """Build a case through ``submit_case`` (station intake at 黄土铺镇 by default)."""

    def make(**overrides):
        values = {
            "actor": station_staff,
            "organization": tree.huangtupu,
            "kind": "rights",
            "category": wage,
            "channel": "walk_in",
            "title": "工地欠薪",
            "description": "在某工地做工三个月,工资未结清。",
            "applicants": [{"name": "王建国", "id_number": make_id_number()}],
            "amount_claimed": Decimal("11500.00"),
            "employer_name": "祁东县某建筑劳务公司",
        }
        values.update(overrides)
        return submit_case(**values)

    return make
