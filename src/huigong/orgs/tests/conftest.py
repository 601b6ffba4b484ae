"""Helpers for the orgs tests: a snapshot of everything a denied call must not change."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied

from huigong.accounts.models import RoleAssignment
from huigong.audit.models import ChangeLog
from huigong.orgs.models import Grid, Organization
from huigong.people.models import Person
from huigong.testing.factories import OrganizationFactory


def db_state() -> dict:
    """The rows the orgs services touch, as plain tuples (compare before/after a call)."""
    return {
        "orgs": list(
            Organization.objects.order_by("pk").values_list(
                "pk",
                "path",
                "depth",
                "numchild",
                "name",
                "kind",
                "category",
                "status",
                "merged_into",
                "division_code",
                "credit_code",
                "employee_count",
                "founded_on",
            )
        ),
        "grids": list(
            Grid.objects.order_by("pk").values_list(
                "pk", "path", "organization", "name", "level", "description"
            )
        ),
        "officers": sorted(Grid.officers.through.objects.values_list("grid_id", "user_id")),
        "persons": list(
            Person.objects.order_by("pk").values_list("pk", "organization", "employer")
        ),
        "assignments": list(
            RoleAssignment.objects.order_by("pk").values_list("pk", "organization")
        ),
        "changelog": ChangeLog.objects.count(),
    }


@contextmanager
def refused(exception: type[Exception] = PermissionDenied):
    """The block raises ``exception`` (its ``ExceptionInfo`` is what ``as`` gives) and
    leaves every row of ``db_state`` as it was."""
    before = db_state()
    with pytest.raises(exception) as exc_info:
        yield exc_info
    assert db_state() == before


@pytest.fixture
def xinfa_branch(tree):
    """A second grassroots union in 黄土铺镇, a merge partner for 新发食品有限公司工会."""
    return OrganizationFactory.child(
        tree.huangtupu, name="黄土铺镇中心学校工会", kind="grassroots", category="public"
    )


@pytest.fixture
def area(tree):
    """A grid area of 黄土铺镇."""
    return Grid.objects.add_root(
        instance=Grid(organization=tree.huangtupu, name="东片区", level=Grid.Level.AREA)
    )
