"""Case model invariants: protected status, database constraints, numbering and routing
levels. (Which departments an organization may use: ``huigong.partners`` tests.)"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from huigong.cases.models import Case, CaseStatus
from huigong.cases.services import handling_organization, next_case_number, number_prefix
from huigong.kernel.numbering import last_number
from huigong.testing.concurrency import draw_concurrently
from huigong.testing.factories import OrganizationFactory

from .conftest import at


def test_status_cannot_be_set_directly(make_case):
    case = make_case(now=at(2026, 3, 2))
    with pytest.raises(AttributeError):
        case.status = CaseStatus.CLOSED


def test_database_refuses_negative_amounts(make_case):
    case = make_case(now=at(2026, 3, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(amount_recovered=-1)


def test_database_ties_merged_into_to_the_merged_status(make_case):
    case = make_case(now=at(2026, 3, 2))
    other = make_case(now=at(2026, 3, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(merged_into=other)


def test_numbers_are_sequential_per_prefix_and_year(db):
    assert next_case_number("QD", 2026) == "QD-2026-000001"
    assert next_case_number("QD", 2026) == "QD-2026-000002"
    assert next_case_number("HY", 2026) == "HY-2026-000001"
    assert next_case_number("QD", 2027) == "QD-2027-000001"
    assert last_number("case", key="QD", year=2026) == 2


def test_prefix_comes_from_the_county(tree):
    assert number_prefix(tree.xinfa) == "QD"
    assert number_prefix(tree.county) == "QD"
    assert number_prefix(tree.city) == "HG"  # no county above a city


def test_handling_level_walks_up_to_the_level(tree):
    assert handling_organization(tree.xinfa, "grassroots") == tree.xinfa
    assert handling_organization(tree.xinfa, "township") == tree.huangtupu
    assert handling_organization(tree.xinfa, "county") == tree.county
    # An organization above the level keeps the case (it cannot guess a township below).
    assert handling_organization(tree.county, "township") == tree.county


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_number():
    """Eight threads draw numbers at once, each in its own transaction and connection."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    OrganizationFactory.root(name="测试", kind="province")
    numbers = draw_concurrently(lambda: next_case_number("QD", 2026), threads=8, rounds=5)
    assert sorted(numbers) == [f"QD-2026-{n:06d}" for n in range(1, 41)]


def test_prefix_ignores_a_short_name_that_names_no_place(tree):
    tree.county.short_name = "县总工会"
    tree.county.save(update_fields=["short_name"])
    assert number_prefix(tree.xinfa) == "QD"
    tree.county.short_name = "祁东"
    tree.county.save(update_fields=["short_name"])
    assert number_prefix(tree.xinfa) == "QD"
