"""The case statistics, computed through the indicator registry like the dashboards."""

from __future__ import annotations

from decimal import Decimal

from huigong.cases import services
from huigong.kernel.indicators import get_indicator
from huigong.kernel.periods import parse_period
from huigong.stats.services import live_figures

from .conftest import at

KEYS = [
    "cases.received",
    "cases.received_by_category",
    "cases.accepted",
    "cases.accepted_on_time",
    "cases.resolved",
    "cases.resolved_on_time",
    "cases.resolve_working_days",
    "cases.overdue_now",
    "cases.rated",
    "cases.satisfied",
    "cases.reopened",
    "cases.escalated",
    "cases.amount_recovered",
    "cases.workers_benefited",
]


def figures(user, org, period="2026-03"):
    indicators = [get_indicator(k) for k in KEYS]
    result = live_figures(
        indicators, org, parse_period(period, today=at(2026, 4, 1).date()), user=user
    )
    return result


def test_county_dashboard_counts_the_month(make_case, township_cadre, county_cadre, worker, tree):
    # Accepted on time, resolved on time, rated satisfied, 11,500 yuan recovered for 13.
    a = make_case(applicants=[worker.person], now=at(2026, 3, 2, 9))
    services.accept_case(actor=township_cadre, case=a, now=at(2026, 3, 2, 15))
    services.resolve_case(
        actor=township_cadre,
        case=a,
        outcome="resolved_in_favour",
        result_text="已追回",
        amount_recovered="11500",
        workers_benefited=13,
        now=at(2026, 3, 5),
    )
    services.rate_case(actor=worker, case=a, satisfaction="satisfied", now=at(2026, 3, 6))
    # Accepted late (due 3 Mar, accepted 4 Mar), resolved late (due 9 Mar, 12 Mar),
    # rated unsatisfied → reopened.
    b = make_case(channel="hotline_12351", now=at(2026, 3, 2, 9))
    services.accept_case(actor=township_cadre, case=b, now=at(2026, 3, 4, 9))
    services.resolve_case(
        actor=township_cadre,
        case=b,
        outcome="partially",
        result_text="部分追回",
        amount_recovered="500",
        now=at(2026, 3, 12),
    )
    services.rate_case(
        actor=township_cadre, case=b, satisfaction="unsatisfied", now=at(2026, 3, 13)
    )
    # Only received.
    make_case(channel="portal", now=at(2026, 3, 20))

    f = figures(county_cadre, tree.county).current
    assert f[("cases.received", "")] == 3
    assert f[("cases.received", "walk_in")] == 1
    assert f[("cases.received", "hotline_12351")] == 1
    assert f[("cases.received_by_category", "欠薪")] == 3
    assert f[("cases.accepted", "")] == 2
    assert f[("cases.accepted_on_time", "")] == 1  # 50 % accepted within 1 working day
    # b was reopened: only a counts as resolved in March.
    assert f[("cases.resolved", "")] == 1
    assert f[("cases.resolved_on_time", "")] == 1
    assert f[("cases.resolve_working_days", "")] == 3
    assert f[("cases.rated", "")] == 2
    assert f[("cases.satisfied", "")] == 1
    assert f[("cases.reopened", "")] == 1
    assert Decimal(f[("cases.amount_recovered", "")]) == Decimal("11500")
    assert f[("cases.workers_benefited", "")] == 13


def test_sibling_township_sees_none_of_it(make_case, sibling_cadre, tree):
    make_case(now=at(2026, 3, 2))
    f = figures(sibling_cadre, tree.baidishi).current
    assert f.get(("cases.received", ""), 0) == 0
