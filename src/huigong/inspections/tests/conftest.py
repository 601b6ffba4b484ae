"""Fixtures for the inspection tests, shared with the tests of the apps they build on:
the holiday table, case categories (for cases opened from findings), the county's
labour inspection brigade, the API client (inspections are served under the cases API)
and ``at`` (an aware datetime in China time) from the cases tests; the demo county loaded
once per module from the demo tests. And the inspections' own: a staff user in scope
without any inspection permission (``finance``), ``plan`` and ``campaign`` (plan, and start, one) and
``running`` (a campaign with a target, a finding and an order)."""

import datetime
import functools

import pytest

from huigong.cases.tests.conftest import (  # noqa: F401  (fixtures)
    api,
    at,
    categories,
    fresh_workday_cache,
    holidays,
    labour_inspection,
)
from huigong.demo.tests.conftest import demo_output  # noqa: F401  (fixture)
from huigong.inspections import services
from huigong.testing.factories import UserFactory, give_role


@pytest.fixture
def finance(tree, roles):
    """In scope (黄土铺镇), but without any inspection permission."""
    return give_role(UserFactory(username="finance"), "finance_officer", tree.huangtupu)


@pytest.fixture
def plan(tree, township_cadre, labour_inspection):  # noqa: F811  (the fixture)
    """``plan(**overrides)``: plan a campaign through the service; by default 黄土铺镇's,
    by its township cadre, for September 2025 with the county's labour inspection brigade."""
    return functools.partial(
        services.plan_inspection,
        actor=township_cadre,
        organization=tree.huangtupu,
        name="黄土铺镇民营企业劳动用工联合执法检查",
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 9, 30),
        departments=[labour_inspection],
    )


@pytest.fixture
def campaign(plan, township_cadre):
    """``campaign(actor=..., **overrides)``: a campaign planned (see ``plan``) and started
    by ``actor`` (黄土铺镇's township cadre by default)."""

    def make(actor=None, **overrides):
        actor = actor or township_cadre
        inspection = plan(actor=actor, **overrides)
        services.start_inspection(actor=actor, inspection=inspection)
        return inspection

    return make


@pytest.fixture
def running(campaign, township_cadre, tree):
    """A running campaign of 黄土铺镇 with one target (新发食品), one finding and one order."""
    inspection = campaign()
    target = services.add_inspection_target(
        actor=township_cadre, inspection=inspection, organization=tree.xinfa
    )
    finding = services.record_finding(
        actor=township_cadre,
        target=target,
        kind="no_contract",
        description="32 名职工未签订劳动合同",
        workers_affected=32,
    )
    services.issue_rectification_order(
        actor=township_cadre, finding=finding, requirement="限期签订劳动合同", days=10
    )
    return inspection
