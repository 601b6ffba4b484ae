"""The demo county's mediations: played through the mediation services, one in each
state the workbench shows, with timelines and audit entries like real ones, so that the
调解成功率 indicator has figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from huigong.accounts.models import User
from huigong.audit.models import ChangeLog
from huigong.cases.demo.mediations import STORIES
from huigong.cases.models import Mediation, MediationStatus, Performance, ReferredTo
from huigong.kernel.indicators import get_indicator, get_ratio
from huigong.kernel.periods import parse_period
from huigong.orgs.models import Organization
from huigong.stats.services import live_figures

pytestmark = pytest.mark.django_db


def test_demo_has_a_mediation_in_each_state(demo_output):
    mediations = {m.status: m for m in Mediation.objects.all()}
    assert Mediation.objects.count() == len(STORIES) == 5
    assert set(mediations) == {
        MediationStatus.FILED,
        MediationStatus.NO_AGREEMENT,
        MediationStatus.WITHDRAWN,
        MediationStatus.IN_SESSION,
        MediationStatus.INTAKE,
    }
    filed = mediations[MediationStatus.FILED]
    assert filed.agreement_amount == Decimal("18000.00")
    assert filed.performed == Performance.YES
    assert filed.agreed_at <= filed.followed_up_at <= filed.filed_at
    assert filed.performed_at <= timezone.localdate(filed.followed_up_at)
    assert list(filed.mediators.values_list("username", flat=True)) == ["mediator"]
    assert mediations[MediationStatus.NO_AGREEMENT].referred_to == ReferredTo.ARBITRATION
    assert mediations[MediationStatus.IN_SESSION].sessions.count() == 2
    assert mediations[MediationStatus.WITHDRAWN].result_note
    assert mediations[MediationStatus.INTAKE].opened_by.username == "mediator"
    for mediation in mediations.values():
        assert mediation.case.category.code in ("wage_arrears", "labour_contract")
        assert mediation.organization == mediation.case.organization


def test_demo_mediations_have_timelines_and_audit_in_order(demo_output):
    now = timezone.now()
    for mediation in Mediation.objects.select_related("case"):
        events = list(
            mediation.case.events.filter(
                kind__startswith="mediation_", data__mediation=mediation.pk
            )
        )
        assert events[0].kind == "mediation_opened" and events[0].time == mediation.opened_at
        accepted = mediation.case.events.filter(kind="accepted").earliest("time")
        assert accepted.time < mediation.opened_at
        times = [e.time for e in events]
        assert times == sorted(times) and times[-1] < now
        assert all(e.actor_id for e in events)
        assert ChangeLog.objects.filter(
            object_type="cases.mediation", object_id=str(mediation.pk)
        ).count() == len(events)
    numbers = list(Mediation.objects.order_by("opened_at").values_list("number", flat=True))
    assert numbers == sorted(numbers)


def test_mediation_success_rate_is_no_longer_empty_on_the_demo(demo_output):
    county = Organization.objects.get(name="祁东县总工会")
    user = User.objects.get(username="county")
    filed = Mediation.objects.get(status=MediationStatus.FILED)
    rate = get_ratio("cases.mediation_success_rate")
    period = parse_period(str(timezone.localdate(filed.ended_at).year))
    figures = live_figures(
        [get_indicator(rate.numerator), get_indicator(rate.denominator)], county, period, user=user
    )
    value = rate.value_of(figures.current)
    assert value is not None and 0 < value <= 100
    assert figures.current[("cases.mediations_agreed", "")] >= 1
