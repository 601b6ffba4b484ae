"""Department model invariants: which departments an organization may use, and the
database constraints."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from huigong.partners.models import Department


def test_departments_usable_at_an_organization_are_its_own_and_its_ancestors(tree):
    county = Department.objects.create(organization=tree.county, name="县劳动监察", kind="other")
    township = Department.objects.create(
        organization=tree.huangtupu, name="镇司法所", kind="justice"
    )
    sibling = Department.objects.create(
        organization=tree.baidishi, name="白地市司法所", kind="justice"
    )
    usable = set(Department.objects.usable_at(tree.xinfa))
    assert usable == {county, township}
    assert sibling not in usable


def test_database_refuses_duplicate_names_and_zero_deadlines(labour_inspection):
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(
            organization=labour_inspection.organization, name=labour_inspection.name, kind="other"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.filter(pk=labour_inspection.pk).update(response_days=0)
    labour_inspection.refresh_from_db()
    assert labour_inspection.response_days == 5


def test_the_table_keeps_its_name_from_cases():
    assert Department._meta.db_table == "cases_department"
    assert Department.members.through._meta.db_table == "cases_department_members"
