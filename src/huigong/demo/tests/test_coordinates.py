"""The demo's township unions have places, so the county dashboard can draw its map."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from huigong.accounts.models import User
from huigong.orgs.models import Organization, OrgKind

pytestmark = pytest.mark.django_db


def test_every_township_level_union_has_a_place_inside_the_county(demo_output):
    county = Organization.objects.get(name="祁东县总工会")
    children = Organization.objects.get_children(county)
    placed = {c.name: (c.latitude, c.longitude) for c in children if c.latitude is not None}
    townships = {c.name for c in children if c.kind in (OrgKind.TOWNSHIP, OrgKind.REGIONAL)}
    assert set(placed) == townships and len(placed) == 25
    # 祁东县 lies around 26.6–27.1 °N, 111.7–112.5 °E; no two unions share a point.
    for latitude, longitude in placed.values():
        assert Decimal("26.5") < latitude < Decimal("27.2")
        assert Decimal("111.7") < longitude < Decimal("112.5")
    assert len(set(placed.values())) == len(placed)
    # Units below the townships have no place of their own yet.
    assert not Organization.objects.filter(kind=OrgKind.GRASSROOTS, latitude__isnull=False).exists()


def test_county_dashboard_maps_the_townships(client, demo_output):
    client.force_login(User.objects.get(username="county"))
    response = client.get(reverse("stats:dashboard"), {"section": "cases"})
    board_map = response.context["board"].charts["map"]
    assert len(board_map["points"]) == 25
    assert {p["name"] for p in board_map["points"]} >= {"黄土铺镇", "白地市镇"}
