"""Fixtures for the partner-department tests: a county brigade and a partner account."""

from __future__ import annotations

import pytest

from huigong.partners.models import Department, DepartmentKind
from huigong.testing.factories import UserFactory, give_role


@pytest.fixture
def labour_inspection(tree) -> Department:
    return Department.objects.create(
        organization=tree.county,
        name="祁东县劳动保障监察大队",
        kind=DepartmentKind.LABOUR_INSPECTION,
        response_days=5,
    )


@pytest.fixture
def partner(tree, roles):
    return give_role(
        UserFactory(username="partner", name="何志明"), "partner_department", tree.county
    )
