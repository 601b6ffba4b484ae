"""Statistics of joint labour inspections (see ``huigong.kernel.indicators``), on their own
dashboard tab 执法检查. Every row counts at the campaign's organizing union, so a
township's figures roll up to its county.

- 按期整改率 (%) = ``cases.rectified_on_time`` / ``cases.rectified``

The keys keep the ``cases.`` prefix they were published with when inspections were part
of cases: stored snapshots and saved reports refer to them.
"""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import (
    Indicator,
    IndicatorKind,
    Ratio,
    Section,
    register,
    register_section,
)

from .models import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from .services import VIEW_INSPECTION

PERM = VIEW_INSPECTION

#: The dashboard tab of joint labour inspections.
INSPECTIONS = register_section(Section(key="inspections", label=_("执法检查"), order=25))


def _indicator(**kwargs) -> Indicator:
    return register(Indicator(permission=PERM, section=INSPECTIONS, **kwargs))


def _rectified():
    return RectificationOrder.objects.filter(status=RectificationStatus.RECTIFIED)


_ORDER_PATH = "finding__target__inspection__organization__path"

_indicator(
    key="cases.inspections_held",
    label=_("开展联合执法检查"),
    unit=_("次"),
    kind=IndicatorKind.NEW,
    queryset=lambda: Inspection.objects.exclude(status=InspectionStatus.CANCELLED),
    date_field="start_date",
    breakdown="status",
    description=_("统计周期内开始的联合执法检查次数(不含已取消的)"),
    order=300,
)
_indicator(
    key="cases.enterprises_inspected",
    label=_("检查企业"),
    unit=_("家"),
    kind=IndicatorKind.NEW,
    queryset=lambda: InspectionTarget.objects.filter(visited_on__isnull=False),
    path_field="inspection__organization__path",
    date_field="visited_on",
    description=_("统计周期内实地检查的企业、合作社家数"),
    order=301,
)
_indicator(
    key="cases.inspection_findings",
    label=_("检查发现问题"),
    unit=_("个"),
    kind=IndicatorKind.NEW,
    queryset=lambda: InspectionFinding.objects.all(),
    path_field="target__inspection__organization__path",
    date_field="recorded_at",
    breakdown="kind",
    description=_("统计周期内执法检查发现的问题个数(按问题类型)"),
    order=302,
)
_indicator(
    key="cases.rectification_orders",
    label=_("下达整改通知"),
    unit=_("份"),
    kind=IndicatorKind.NEW,
    queryset=lambda: RectificationOrder.objects.all(),
    path_field=_ORDER_PATH,
    date_field="issued_at",
    description=_("统计周期内下达的整改通知份数"),
    order=303,
)
_indicator(
    key="cases.rectified",
    label=_("整改到位"),
    unit=_("份"),
    kind=IndicatorKind.NEW,
    queryset=_rectified,
    path_field=_ORDER_PATH,
    date_field="rectified_at",
    description=_("统计周期内整改到位的整改通知份数(按期整改率的分母)"),
    order=304,
)
_indicator(
    key="cases.rectified_on_time",
    headline=False,
    label=_("按期整改到位"),
    unit=_("份"),
    kind=IndicatorKind.NEW,
    queryset=lambda: _rectified().filter(rectified_on_time=True),
    path_field=_ORDER_PATH,
    date_field="rectified_at",
    description=_("统计周期内在整改期限内整改到位的份数"),
    order=305,
)
register(
    Ratio(
        key="cases.rectified_on_time_rate",
        label=_("按期整改率"),
        unit="%",
        section=INSPECTIONS,
        numerator="cases.rectified_on_time",
        denominator="cases.rectified",
        scale=100,
        description=_("统计周期内整改到位的整改通知中,在期限内整改的比例"),
        order=306,
    )
)
_indicator(
    key="cases.inspection_contracts_signed",
    label=_("督促签订劳动合同"),
    unit=_("份"),
    kind=IndicatorKind.NEW,
    queryset=_rectified,
    path_field=_ORDER_PATH,
    date_field="rectified_at",
    sum_field="contracts_signed",
    description=_("统计周期内整改到位时企业新签的劳动合同份数"),
    order=307,
)
_indicator(
    key="cases.inspection_workers_insured",
    label=_("督促新参保职工"),
    unit=_("人"),
    kind=IndicatorKind.NEW,
    queryset=_rectified,
    path_field=_ORDER_PATH,
    date_field="rectified_at",
    sum_field="workers_insured",
    description=_("统计周期内整改到位时新参加社会保险的职工人数"),
    order=308,
)
_indicator(
    key="cases.inspection_amount_recovered",
    label=_("督促补发工资等"),
    unit=_("元"),
    kind=IndicatorKind.NEW,
    queryset=_rectified,
    path_field=_ORDER_PATH,
    date_field="rectified_at",
    sum_field="amount_recovered",
    description=_("统计周期内整改到位时为职工追回的工资、社保等金额"),
    order=309,
)
_indicator(
    key="cases.inspection_cases",
    label=_("检查发现立案"),
    unit=_("件"),
    kind=IndicatorKind.NEW,
    queryset=lambda: InspectionFinding.objects.filter(case__isnull=False),
    path_field="target__inspection__organization__path",
    date_field="case__received_at",
    description=_("统计周期内由执法检查发现问题立案办理的诉求件数"),
    order=310,
)
