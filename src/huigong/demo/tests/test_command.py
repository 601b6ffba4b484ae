"""``python -m huigong demo`` on databases that are not empty, and ``--scale``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from huigong.orgs.models import Organization, OrgKind

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_if_empty_leaves_a_database_with_other_organizations_alone():
    Organization.objects.add_root(instance=Organization(name="某省总工会", kind=OrgKind.PROVINCE))
    output = run_demo("--if-empty")
    assert not Organization.objects.filter(name="祁东县总工会").exists()
    assert Organization.objects.count() == 1
    assert "No demo accounts" in output


def test_scale_prints_rows_per_second():
    output = run_demo("--scale", "1", "--townships", "2", "--units", "2", "--persons", "1")
    assert "rows/s" in output
    assert Organization.objects.filter(kind=OrgKind.COUNTY).count() == 1
    assert Organization.objects.filter(kind=OrgKind.GRASSROOTS).count() == 4


def test_scale_refuses_zero_counties():
    with pytest.raises(CommandError):
        run_demo("--scale", "0")
    assert not Organization.objects.exists()
