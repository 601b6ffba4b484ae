"""Fixtures for the statistics tests: workers registered in the shared tree.

黄土铺镇 has 4 persons (1 at the township itself, 3 in 新发食品公司工会, one of them a rider);
白地市镇 has 2 (both in 流泉村工会, one a courier). Organizations are dated 2020 so they
exist in every period the tests look at.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from huigong.orgs.models import Organization
from huigong.testing.factories import PersonFactory


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def persons(tree):
    Organization.objects.update(created_at=aware(2020, 1, 1))
    made = {
        "township_own": PersonFactory(organization=tree.huangtupu, name="黄土铺本级"),
        "xinfa_1": PersonFactory(organization=tree.xinfa, name="新发一"),
        "xinfa_2": PersonFactory(organization=tree.xinfa, name="新发二"),
        "xinfa_rider": PersonFactory(
            organization=tree.xinfa,
            name="新发骑手",
            employment_form="new_form",
            new_form_type="rider",
        ),
        "liuquan_1": PersonFactory(organization=tree.liuquan, name="流泉一"),
        "liuquan_courier": PersonFactory(
            organization=tree.liuquan,
            name="流泉快递",
            employment_form="new_form",
            new_form_type="courier",
        ),
    }
    return made


def make_case(org, number: str, received, **fields):
    """A case row as the case services leave it, with only what the statistics read.
    (The services and their timeline are tested in ``huigong.cases``; here the rows are
    the data, written directly so each test states its figures.)"""
    from huigong.cases.models import Case, CaseCategory

    category = CaseCategory.objects.filter(code="wage_arrears").first()
    if category is None:
        category = CaseCategory.objects.add_root(
            instance=CaseCategory(code="wage_arrears", name="欠薪")
        )
    return Case.objects.create(
        province=Organization.objects.get(path=org.path[: Organization.steplen]),
        organization=org,
        number=number,
        kind="rights",
        category=category,
        channel="walk_in",
        title="工地欠薪",
        description="工资未结清。",
        received_at=received,
        accept_due=received.date(),
        due_date=received.date(),
        **fields,
    )


@pytest.fixture
def october_cases(tree):
    """Cases of October 2026 (and one of September) in both townships.

    October: 3 accepted in 黄土铺镇 (2 within a working day), 2 of them resolved (1 on
    time; 3 + 6 working days), both rated (1 satisfied); 1 case in 白地市镇 only received.
    September: 1 case in 黄土铺镇, accepted and resolved on time in 3 working days, rated
    basically satisfied. So October's rates are 66.7 %, 50.0 %, 4.5 days and 50.0 %
    against 100 %, 100 %, 3.0 days and 100 % in September.
    """
    Organization.objects.update(created_at=aware(2020, 1, 1))
    xinfa, liuquan = tree.xinfa, tree.liuquan
    return [
        make_case(
            xinfa,
            "C1",
            aware(2026, 10, 9, 9),
            accepted_at=aware(2026, 10, 9, 15),
            accepted_on_time=True,
            resolved_at=aware(2026, 10, 14, 10),
            resolved_on_time=True,
            working_days_to_resolve=3,
            satisfaction="satisfied",
            rated_at=aware(2026, 10, 15, 10),
        ),
        make_case(
            xinfa,
            "C2",
            aware(2026, 10, 10, 9),
            accepted_at=aware(2026, 10, 13, 9),
            accepted_on_time=False,
            resolved_at=aware(2026, 10, 20, 10),
            resolved_on_time=False,
            working_days_to_resolve=6,
            satisfaction="unsatisfied",
            rated_at=aware(2026, 10, 21, 10),
        ),
        make_case(
            xinfa,
            "C3",
            aware(2026, 10, 12, 9),
            accepted_at=aware(2026, 10, 12, 11),
            accepted_on_time=True,
        ),
        make_case(liuquan, "C4", aware(2026, 10, 20, 9)),
        make_case(
            xinfa,
            "C5",
            aware(2026, 9, 1, 9),
            accepted_at=aware(2026, 9, 1, 10),
            accepted_on_time=True,
            resolved_at=aware(2026, 9, 4, 10),
            resolved_on_time=True,
            working_days_to_resolve=3,
            satisfaction="basically",
            rated_at=aware(2026, 9, 5, 10),
        ),
    ]
