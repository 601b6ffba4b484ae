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
their labels come from the rows, not from field choices).
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import (
    Indicator,
    IndicatorKind,
    Ratio,
    Section,
    register,
    register_section,
)

from .models import OPEN_STATUSES, Case, CaseEvent, EventKind, Mediation, Satisfaction

PERM = "cases.view_case"

#: The dashboard tab of worker demands.
CASES = register_section(Section(key="cases", label=_("诉求办理"), order=20))


def _indicator(**kwargs) -> Indicator:
    return register(Indicator(permission=PERM, section=CASES, **kwargs))


def _ratio(**kwargs) -> Ratio:
    return register(Ratio(section=CASES, **kwargs))


_indicator(
    key="cases.received",
    label=_("受理诉求"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.all(),
    date_field="received_at",
    breakdown="channel",
    description=_("统计周期内登记的诉求件数(按来源渠道)"),
    order=200,
)
_indicator(
    key="cases.received_by_category",
    label=_("受理诉求(按类别)"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.all(),
    date_field="received_at",
    breakdown="category__name",
    description=_("统计周期内登记的诉求件数(按诉求类别)"),
    order=201,
)
_indicator(
    key="cases.accepted",
    headline=False,
    label=_("已受理诉求"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(accepted_on_time__isnull=False),
    date_field="accepted_at",
    description=_("统计周期内受理的诉求件数(1 个工作日内受理率的分母)"),
    order=210,
)
_indicator(
    key="cases.accepted_on_time",
    headline=False,
    label=_("1 个工作日内受理"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(accepted_on_time=True),
    date_field="accepted_at",
    description=_("统计周期内在受理期限(登记后 1 个工作日)内受理的诉求件数"),
    order=211,
)
_ratio(
    key="cases.accepted_on_time_rate",
    label=_("1 个工作日内受理率"),
    unit="%",
    numerator="cases.accepted_on_time",
    denominator="cases.accepted",
    scale=100,
    description=_("统计周期内受理的诉求中,在登记后 1 个工作日内受理的比例"),
    order=212,
)
_indicator(
    key="cases.resolved",
    headline=False,
    label=_("办结诉求"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(resolved_at__isnull=False),
    date_field="resolved_at",
    breakdown="category__name",
    description=_("统计周期内办结的诉求件数(按时办结率、平均办理用时的分母)"),
    order=220,
)
_indicator(
    key="cases.resolved_on_time",
    headline=False,
    label=_("按时办结"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(resolved_on_time=True),
    date_field="resolved_at",
    breakdown="category__name",
    description=_("统计周期内未逾期、在办结期限内办结的诉求件数"),
    order=221,
)
_indicator(
    key="cases.resolve_working_days",
    headline=False,
    label=_("办结用时合计"),
    unit=_("工作日"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(resolved_at__isnull=False),
    date_field="resolved_at",
    sum_field="working_days_to_resolve",
    description=_("统计周期内办结诉求从登记到办结的工作日之和(除以办结件数即平均用时)"),
    order=222,
)
_ratio(
    key="cases.resolved_on_time_rate",
    label=_("按期办结率"),
    unit="%",
    numerator="cases.resolved_on_time",
    denominator="cases.resolved",
    scale=100,
    description=_("统计周期内办结的诉求中,在办结期限内办结的比例"),
    order=223,
)
_ratio(
    key="cases.resolve_working_days_avg",
    label=_("平均办结工作日"),
    unit=_("工作日"),
    numerator="cases.resolve_working_days",
    denominator="cases.resolved",
    lower_is_better=True,
    description=_("统计周期内办结的诉求从登记到办结平均用的工作日数"),
    order=224,
)
_indicator(
    key="cases.overdue_now",
    lower_is_better=True,
    label=_("当前逾期"),
    unit=_("件"),
    kind=IndicatorKind.STOCK,
    queryset=lambda: Case.objects.filter(status__in=OPEN_STATUSES, is_overdue=True),
    date_field=None,
    breakdown="category__name",
    description=_("现在已超过办结期限仍未办结的诉求件数"),
    order=230,
)
_indicator(
    key="cases.rated",
    headline=False,
    label=_("已评价诉求"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.exclude(satisfaction=""),
    date_field="rated_at",
    breakdown="satisfaction",
    description=_("统计周期内职工作出满意度评价的诉求件数(满意率的分母)"),
    order=240,
)
_indicator(
    key="cases.satisfied",
    headline=False,
    label=_("满意或基本满意"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(
        satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]
    ),
    date_field="rated_at",
    description=_("统计周期内评价为满意或基本满意的诉求件数"),
    order=241,
)
_ratio(
    key="cases.satisfaction_rate",
    label=_("满意率"),
    unit="%",
    numerator="cases.satisfied",
    denominator="cases.rated",
    scale=100,
    description=_("统计周期内作出评价的诉求中,评价为满意或基本满意的比例"),
    order=242,
)
_indicator(
    key="cases.reopened",
    lower_is_better=True,
    label=_("不满意重办"),
    unit=_("次"),
    kind=IndicatorKind.NEW,
    queryset=lambda: CaseEvent.objects.filter(kind=EventKind.REOPENED),
    path_field="case__organization__path",
    date_field="time",
    description=_("统计周期内因职工不满意而重新办理的次数"),
    order=250,
)
_indicator(
    key="cases.escalated",
    label=_("上报上级"),
    unit=_("次"),
    kind=IndicatorKind.NEW,
    queryset=lambda: CaseEvent.objects.filter(kind=EventKind.ESCALATED),
    path_field="case__organization__path",
    date_field="time",
    description=_("统计周期内诉求上报上级工会的次数(含逾期自动上报)"),
    order=251,
)
_indicator(
    key="cases.amount_recovered",
    label=_("追回金额"),
    unit=_("元"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(resolved_at__isnull=False),
    date_field="resolved_at",
    sum_field="amount_recovered",
    breakdown="category__name",
    description=_("统计周期内办结诉求为职工追回的金额"),
    order=260,
)
_indicator(
    key="cases.workers_benefited",
    label=_("受益职工"),
    unit=_("人"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Case.objects.filter(resolved_at__isnull=False),
    date_field="resolved_at",
    sum_field="workers_benefited",
    description=_("统计周期内办结诉求惠及的职工人数"),
    order=261,
)

# Mediation: a mediation is decided when it ends in an agreement or in a referral to
# arbitration or court; withdrawn ones are not counted either way.
_indicator(
    key="cases.mediations_decided",
    headline=False,
    label=_("调解终结"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Mediation.objects.filter(Q(agreed_at__isnull=False) | ~Q(referred_to="")),
    date_field="ended_at",
    description=_("统计周期内达成协议或调解不成的劳动争议调解件数"),
    order=270,
)
_indicator(
    key="cases.mediations_agreed",
    headline=False,
    label=_("调解达成协议"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Mediation.objects.filter(agreed_at__isnull=False),
    date_field="ended_at",
    description=_("统计周期内达成调解协议的件数"),
    order=271,
)
_ratio(
    key="cases.mediation_success_rate",
    label=_("调解成功率"),
    unit="%",
    numerator="cases.mediations_agreed",
    denominator="cases.mediations_decided",
    scale=100,
    description=_("统计周期内终结的调解中达成协议的比例"),
    order=272,
)
