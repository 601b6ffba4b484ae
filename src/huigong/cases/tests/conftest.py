"""Fixtures for the cases tests: the seeded categories and holiday table, a grid, a
partner department, a mediator, the cases API client, and helpers that build cases
through the services."""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from huigong.cases.models import CaseCategory, Channel
from huigong.cases.services import seed_categories, submit_case
from huigong.orgs.models import Grid
from huigong.partners.tests.conftest import labour_inspection  # noqa: F401  (fixture)
from huigong.testing.factories import UserFactory, give_role, make_id_number
from huigong.testing.workdays import fresh_workday_cache, holidays  # noqa: F401  (fixtures)

#: The cases API; joint inspections are served under it too.
API_BASE = "/api/v1/cases"

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware datetime in China time (what "today" means for deadlines)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def categories(db, holidays) -> dict[str, CaseCategory]:  # noqa: F811  (the fixture)
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
def mediator(tree, roles):
    return give_role(
        UserFactory(username="mediator", name="调解员老李"), "mediator", tree.huangtupu
    )


@pytest.fixture
def api(api_client):
    """``api(user)``: calls the cases API as ``user``, paths relative to ``API_BASE``."""
    return functools.partial(api_client, base=API_BASE)


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


@pytest.fixture
def make_worker_case(worker, wage):
    """Build a case as ``worker`` submits it (a wage demand on the portal by default)."""
    return functools.partial(
        submit_case,
        actor=worker,
        kind="demand",
        category=wage,
        title="工资拖欠",
        description="新发食品拖欠我两个月工资。",
        channel=Channel.PORTAL,
    )
