"""Rows that other apps register under organizations: counted per subtree, and they keep an
organization from being dissolved. ``orgs`` knows them only through the registry."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from huigong.orgs import dependents, services
from huigong.orgs.counts import subtree_counts
from huigong.orgs.dependents import Dependent, dissolve_blockers, get_dependents
from huigong.orgs.models import Grid, OrgStatus
from huigong.testing.factories import PersonFactory


@pytest.fixture
def grids_as_dependents(monkeypatch):
    # Any model with an organization will do; grids stand in for a future app's rows.
    registry = dict(dependents._dependents)
    monkeypatch.setattr(dependents, "_dependents", registry)
    dependents.register_dependent(
        Dependent("grids", rows=Grid.objects.all, blocks_dissolve="还有 %(n)d 个网格")
    )


def test_people_declares_its_persons():
    assert "persons" in [d.key for d in get_dependents()]


def test_persons_are_counted_per_subtree(tree):
    PersonFactory(organization=tree.xinfa)
    PersonFactory(organization=tree.huangtupu)
    PersonFactory(organization=tree.liuquan)
    counts = subtree_counts([tree.county, tree.huangtupu, tree.xinfa, tree.city])
    assert counts[tree.county.pk].persons == 3
    assert counts[tree.huangtupu.pk].persons == 2
    assert counts[tree.xinfa.pk].persons == 1
    assert counts[tree.city.pk].dependents == {"persons": 3}


def test_a_registered_dependent_is_counted_and_blocks_dissolving(
    tree, county_cadre, grids_as_dependents
):
    Grid.objects.add_root(
        instance=Grid(organization=tree.liuquan, name="一组", level=Grid.Level.AREA)
    )
    counts = subtree_counts([tree.baidishi, tree.huangtupu])
    assert counts[tree.baidishi.pk].dependents == {"grids": 1}
    assert counts[tree.huangtupu.pk].dependents == {}

    assert dissolve_blockers(tree.liuquan) == ["还有 1 个网格"]
    with pytest.raises(ValidationError) as refused:
        services.dissolve_organization(actor=county_cadre, organization=tree.liuquan)
    assert "还有 1 个网格" in refused.value.messages[0]
    tree.liuquan.refresh_from_db()
    assert tree.liuquan.status == OrgStatus.ACTIVE


def test_registering_again_replaces_the_first_declaration(grids_as_dependents):
    dependents.register_dependent(
        Dependent("grids", rows=Grid.objects.all, blocks_dissolve="网格 %(n)d")
    )
    assert [d.blocks_dissolve for d in get_dependents() if d.key == "grids"] == ["网格 %(n)d"]
