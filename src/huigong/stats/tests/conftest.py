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
