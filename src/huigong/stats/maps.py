"""The map of a dashboard: where in the subtree the figures are.

An organization has a place when it has coordinates (``Organization.latitude`` and
``longitude``, GCJ-02); today the demo's townships do. The map shows the topmost placed
organizations of the subtree the user may see — the townships under a county, even when
their villages get places later — each with the value of the tab's first lead count for
its own subtree. Values come from the rollups when the dashboard's figures do (one
indexed query of those organizations' snapshot rows), live otherwise (one grouped query
per depth of placed organizations, one in practice).
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models.functions import Substr

from huigong.kernel.indicators import TOTAL, Indicator
from huigong.kernel.periods import Period
from huigong.orgs.models import Organization

from .models import IndicatorSnapshot
from .rollups import Number, as_number

#: At most this many points: a map of more would not be read, and the query stays bounded.
MAX_POINTS = 1000


def placed_organizations(user, org: Organization) -> list[Organization]:
    """The topmost organizations with coordinates in ``org``'s subtree that ``user`` sees."""
    placed = (
        Organization.objects.visible_to(user)
        .filter(path__startswith=org.path, latitude__isnull=False, longitude__isnull=False)
        .order_by("path")
        .only("id", "name", "short_name", "path", "depth", "latitude", "longitude")[:MAX_POINTS]
    )
    topmost: list[Organization] = []
    for node in placed:
        if not topmost or not node.path.startswith(topmost[-1].path):
            topmost.append(node)
    return topmost


def _snapshot_values(ind: Indicator, placed: list[Organization], period: Period) -> dict:
    rows = IndicatorSnapshot.objects.filter(
        organization_id__in=[o.pk for o in placed], key=ind.key, part=TOTAL, period=period.key
    ).values_list("organization_id", "value")
    return {org_id: as_number(value) for org_id, value in rows}


def _live_values(
    ind: Indicator, org: Organization, placed: list[Organization], period: Period, *, user
) -> dict[int, Number]:
    by_path = {o.path: o.pk for o in placed}
    values: dict[int, Number] = defaultdict(int)
    for depth in sorted({o.depth for o in placed}):
        rows = (
            ind.queryset()
            .visible_to(user, ind.permission or None)
            .filter(**{f"{ind.path_field}__startswith": org.path})
            .filter(ind.period_q(period))
            .order_by()
            .annotate(stats_place=Substr(ind.path_field, 1, depth * Organization.steplen))
            .values("stats_place")
            .annotate(stats_value=ind.measure())
        )
        for row in rows:
            org_id = by_path.get(row["stats_place"])
            if org_id is not None:
                values[org_id] += as_number(row["stats_value"])
    return dict(values)


def map_data(
    ind: Indicator | None, org: Organization, period: Period, *, user, source: str
) -> dict | None:
    """What the map draws, or None when no organization of the subtree has a place (or the
    tab has no count to show)."""
    if ind is None:
        return None
    placed = placed_organizations(user, org)
    if not placed:
        return None
    if source == "snapshot":
        values = _snapshot_values(ind, placed, period)
    else:
        values = _live_values(ind, org, placed, period, user=user)
    points = [
        {
            "id": o.pk,
            "name": o.short_name or o.name,
            "lat": float(o.latitude),
            "lng": float(o.longitude),
            "value": float(values.get(o.pk, 0)),
        }
        for o in placed
    ]
    points.sort(key=lambda p: -p["value"])
    return {
        "key": ind.key,
        "label": str(ind.label),
        "unit": str(ind.unit),
        "tiles": getattr(settings, "MAP_TILES", ""),
        "points": points,
    }
