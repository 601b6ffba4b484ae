"""Statistics of worker demands (see ``huigong.kernel.indicators``).

Base indicators count or sum rows. The rates are ``Ratio`` declarations derived from a
numerator and a denominator of the same organization and period (computed when read,
never stored in snapshots):

- 1 个工作日内受理率 (%) = ``cases.accepted_on_time`` / ``cases.accepted``
- 按期办结率 (%)         = ``cases.resolved_on_time`` / ``cases.resolved``
- 平均办结工作日         = ``cases.resolve_working_days`` / ``cases.resolved``
- 满意率 (%)             = ``cases.satisfied`` / ``cases.rated``
- 调解成功率 (%)         = ``cases.mediations_agreed`` / ``cases.mediations_decided``

The raw numerators and denominators are not headline figures (``headline=False``): the
rate's card shows them, and they stay in the drill-down table and its export.

Breakdowns by category use the category name (categories are a configurable table, so
their labels come from the rows, not from field choices), shown in the categories'
configured order (``sort``, then their place in the tree).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import IndicatorGroup, IndicatorKind, Section, register_section

from .models import (
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseEvent,
    EventKind,
    Mediation,
    Satisfaction,
)

PERM = "cases.view_case"

#: The dashboard tab of worker demands.
CASES = register_section(
    Section(
        key="cases",
        label=_("诉求办理"),
        order=20,
        lead=(
            "cases.received",
            "cases.resolved",
            "cases.resolved_on_time_rate",
            "cases.satisfaction_rate",
        ),
    )
)


def category_order() -> list[tuple[str, str]]:
    """Category names in their configured order, for breakdowns by category."""
    return list(CaseCategory.objects.order_by("sort", "path").values_list("name", "name"))


cases = IndicatorGroup(CASES, permission=PERM, kind=IndicatorKind.NEW, unit=_("件"))


def _resolved_cases():
    return Case.objects.filter(resolved_at__isnull=False)


received = cases.group(order=200, queryset=lambda: Case.objects.all(), date_field="received_at")
received.indicator(
    "cases.received",
    _("受理诉求"),
    breakdown="channel",
    description=_("统计周期内登记的诉求件数(按来源渠道)"),
)
received.indicator(
    "cases.received_by_category",
    _("受理诉求(按类别)"),
    breakdown="category__name",
    part_order=category_order,
    description=_("统计周期内登记的诉求件数(按诉求类别)"),
)

accepted = cases.group(order=210, date_field="accepted_at", headline=False)
accepted.indicator(
    "cases.accepted",
    _("已受理诉求"),
    queryset=lambda: Case.objects.filter(accepted_on_time__isnull=False),
    description=_("统计周期内受理的诉求件数(1 个工作日内受理率的分母)"),
)
accepted.indicator(
    "cases.accepted_on_time",
    _("1 个工作日内受理"),
    queryset=lambda: Case.objects.filter(accepted_on_time=True),
    description=_("统计周期内在受理期限(登记后 1 个工作日)内受理的诉求件数"),
)
accepted.percentage(
    "cases.accepted_on_time_rate",
    _("1 个工作日内受理率"),
    "cases.accepted_on_time",
    "cases.accepted",
    description=_("统计周期内受理的诉求中,在登记后 1 个工作日内受理的比例"),
)

resolved = cases.group(
    order=220, queryset=_resolved_cases, date_field="resolved_at", headline=False
)
resolved.indicator(
    "cases.resolved",
    _("办结诉求"),
    breakdown="category__name",
    part_order=category_order,
    description=_("统计周期内办结的诉求件数(按时办结率、平均办理用时的分母)"),
)
resolved.indicator(
    "cases.resolved_on_time",
    _("按时办结"),
    queryset=lambda: Case.objects.filter(resolved_on_time=True),
    breakdown="category__name",
    part_order=category_order,
    description=_("统计周期内未逾期、在办结期限内办结的诉求件数"),
)
resolved.indicator(
    "cases.resolve_working_days",
    _("办结用时合计"),
    unit=_("工作日"),
    sum_field="working_days_to_resolve",
    description=_("统计周期内办结诉求从登记到办结的工作日之和(除以办结件数即平均用时)"),
)
resolved.percentage(
    "cases.resolved_on_time_rate",
    _("按期办结率"),
    "cases.resolved_on_time",
    "cases.resolved",
    description=_("统计周期内办结的诉求中,在办结期限内办结的比例"),
)
resolved.ratio(
    "cases.resolve_working_days_avg",
    _("平均办结工作日"),
    "cases.resolve_working_days",
    "cases.resolved",
    unit=_("工作日"),
    lower_is_better=True,
    description=_("统计周期内办结的诉求从登记到办结平均用的工作日数"),
)

cases.indicator(
    "cases.overdue_now",
    _("当前逾期"),
    lower_is_better=True,
    kind=IndicatorKind.STOCK,
    queryset=lambda: Case.objects.filter(status__in=OPEN_STATUSES, is_overdue=True),
    date_field=None,
    breakdown="category__name",
    part_order=category_order,
    description=_("现在已超过办结期限仍未办结的诉求件数"),
    order=230,
)

rated = cases.group(order=240, date_field="rated_at", headline=False)
rated.indicator(
    "cases.rated",
    _("已评价诉求"),
    queryset=lambda: Case.objects.exclude(satisfaction=""),
    breakdown="satisfaction",
    description=_("统计周期内职工作出满意度评价的诉求件数(满意率的分母)"),
)
rated.indicator(
    "cases.satisfied",
    _("满意或基本满意"),
    queryset=lambda: Case.objects.filter(
        satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    ),
    description=_("统计周期内评价为满意或基本满意的诉求件数"),
)
rated.percentage(
    "cases.satisfaction_rate",
    _("满意率"),
    "cases.satisfied",
    "cases.rated",
    description=_("统计周期内作出评价的诉求中,评价为满意或基本满意的比例"),
)

# Timeline events, counted at their case's organization.
events = cases.group(
    order=250, unit=_("次"), path_field="case__organization__path", date_field="time"
)
events.indicator(
    "cases.reopened",
    _("不满意重办"),
    lower_is_better=True,
    queryset=lambda: CaseEvent.objects.filter(kind=EventKind.REOPENED),
    description=_("统计周期内因职工不满意而重新办理的次数"),
)
events.indicator(
    "cases.escalated",
    _("上报上级"),
    queryset=lambda: CaseEvent.objects.filter(kind=EventKind.ESCALATED),
    description=_("统计周期内诉求上报上级工会的次数(含逾期自动上报)"),
)

benefits = cases.group(order=260, queryset=_resolved_cases, date_field="resolved_at")
benefits.indicator(
    "cases.amount_recovered",
    _("追回金额"),
    unit=_("元"),
    sum_field="amount_recovered",
    breakdown="category__name",
    part_order=category_order,
    description=_("统计周期内办结诉求为职工追回的金额"),
)
benefits.indicator(
    "cases.workers_benefited",
    _("受益职工"),
    unit=_("人"),
    sum_field="workers_benefited",
    description=_("统计周期内办结诉求惠及的职工人数"),
)

# Mediation: a mediation is decided when it ends in an agreement or in a referral to
# arbitration or court; withdrawn ones are not counted either way.
mediations = cases.group(order=270, date_field="ended_at", headline=False)
mediations.indicator(
    "cases.mediations_decided",
    _("调解终结"),
    queryset=lambda: Mediation.objects.filter(Q(agreed_at__isnull=False) | ~Q(referred_to="")),
    description=_("统计周期内达成协议或调解不成的劳动争议调解件数"),
)
mediations.indicator(
    "cases.mediations_agreed",
    _("调解达成协议"),
    queryset=lambda: Mediation.objects.filter(agreed_at__isnull=False),
    description=_("统计周期内达成调解协议的件数"),
)
mediations.percentage(
    "cases.mediation_success_rate",
    _("调解成功率"),
    "cases.mediations_agreed",
    "cases.mediations_decided",
    description=_("统计周期内终结的调解中达成协议的比例"),
)
