"""The demo's joint labour inspections: a finished campaign in 黄土铺镇 with its results,
an overdue order and a case opened from a finding, and a campaign under way in 白地市镇."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from huigong.accounts.models import User
from huigong.cases.models import Channel
from huigong.inspections.models import (
    Inspection,
    InspectionEvent,
    InspectionStatus,
    RectificationOrder,
    RectificationStatus,
)

pytestmark = pytest.mark.django_db


def test_demo_plays_a_finished_and_a_running_campaign(demo_output):
    finished = Inspection.objects.get(status=InspectionStatus.FINISHED)
    running = Inspection.objects.get(status=InspectionStatus.IN_PROGRESS)
    assert finished.organization.name == "黄土铺镇工会联合会"
    assert running.organization.name == "白地市镇工会联合会"
    assert {d.name for d in finished.departments.all()} == {"县人社局劳动保障监察大队", "县司法局"}
    assert finished.targets.count() == 4
    assert finished.targets.filter(organization__isnull=True).count() == 1
    orders = RectificationOrder.objects.filter(finding__target__inspection=finished)
    totals = orders.filter(status=RectificationStatus.RECTIFIED).aggregate(
        contracts=Sum("contracts_signed"),
        insured=Sum("workers_insured"),
        amount=Sum("amount_recovered"),
    )
    assert totals == {"contracts": 242, "insured": 50, "amount": Decimal("86400.00")}
    assert orders.filter(status=RectificationStatus.OVERDUE).count() == 1
    finding = finished.targets.get(name="祁东县宏达建筑劳务有限公司工会").findings.get(
        case__isnull=False
    )
    assert finding.case.channel == Channel.INSPECTION
    assert finding.case.organization == finished.organization
    assert finished.events.filter(kind="order_overdue").count() == 1


def test_demo_campaigns_are_scoped(demo_output):
    huangtupu = User.objects.get(username="huangtupu")
    baidishi = User.objects.get(username="baidishi")
    county = User.objects.get(username="county")
    assert [i.name for i in Inspection.objects.visible_to(huangtupu)] == [
        "黄土铺镇民营企业劳动用工联合执法检查"
    ]
    assert Inspection.objects.visible_to(baidishi).get().status == InspectionStatus.IN_PROGRESS
    assert Inspection.objects.visible_to(county).count() == 2
    assert (
        not InspectionEvent.objects.visible_to(baidishi)
        .filter(inspection__organization__name="黄土铺镇工会联合会")
        .exists()
    )
