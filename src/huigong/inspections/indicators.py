"""Statistics of joint labour inspections (see ``huigong.kernel.indicators``), on their own
dashboard tab 执法检查. Every row counts at the campaign's organizing union, so a
township's figures roll up to its county.

- 按期整改率 (%) = ``cases.rectified_on_time`` / ``cases.rectified``

The keys keep the ``cases.`` prefix they were published with when inspections were part
of cases: stored snapshots and saved reports refer to them.
"""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import IndicatorGroup, IndicatorKind, Section, register_section

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

inspections = IndicatorGroup(INSPECTIONS, order=300, permission=PERM, kind=IndicatorKind.NEW)


def _rectified():
    return RectificationOrder.objects.filter(status=RectificationStatus.RECTIFIED)


_FINDING_PATH = "target__inspection__organization__path"

inspections.indicator(
    "cases.inspections_held",
    _("开展联合执法检查"),
    unit=_("次"),
    queryset=lambda: Inspection.objects.exclude(status=InspectionStatus.CANCELLED),
    date_field="start_date",
    breakdown="status",
    description=_("统计周期内开始的联合执法检查次数(不含已取消的)"),
)
inspections.indicator(
    "cases.enterprises_inspected",
    _("检查企业"),
    unit=_("家"),
    queryset=lambda: InspectionTarget.objects.filter(visited_on__isnull=False),
    path_field="inspection__organization__path",
    date_field="visited_on",
    description=_("统计周期内实地检查的企业、合作社家数"),
)
inspections.indicator(
    "cases.inspection_findings",
    _("检查发现问题"),
    unit=_("个"),
    queryset=lambda: InspectionFinding.objects.all(),
    path_field=_FINDING_PATH,
    date_field="recorded_at",
    breakdown="kind",
    description=_("统计周期内执法检查发现的问题个数(按问题类型)"),
)

# Rectification orders, counted at their inspection's organization.
orders = inspections.group(path_field=f"finding__{_FINDING_PATH}", unit=_("份"))
orders.indicator(
    "cases.rectification_orders",
    _("下达整改通知"),
    queryset=lambda: RectificationOrder.objects.all(),
    date_field="issued_at",
    description=_("统计周期内下达的整改通知份数"),
)

rectified = orders.group(queryset=_rectified, date_field="rectified_at")
rectified.indicator(
    "cases.rectified",
    _("整改到位"),
    description=_("统计周期内整改到位的整改通知份数(按期整改率的分母)"),
)
rectified.indicator(
    "cases.rectified_on_time",
    _("按期整改到位"),
    headline=False,
    queryset=lambda: _rectified().filter(rectified_on_time=True),
    description=_("统计周期内在整改期限内整改到位的份数"),
)
rectified.percentage(
    "cases.rectified_on_time_rate",
    _("按期整改率"),
    "cases.rectified_on_time",
    "cases.rectified",
    description=_("统计周期内整改到位的整改通知中,在期限内整改的比例"),
)
rectified.indicator(
    "cases.inspection_contracts_signed",
    _("督促签订劳动合同"),
    sum_field="contracts_signed",
    description=_("统计周期内整改到位时企业新签的劳动合同份数"),
)
rectified.indicator(
    "cases.inspection_workers_insured",
    _("督促新参保职工"),
    unit=_("人"),
    sum_field="workers_insured",
    description=_("统计周期内整改到位时新参加社会保险的职工人数"),
)
rectified.indicator(
    "cases.inspection_amount_recovered",
    _("督促补发工资等"),
    unit=_("元"),
    sum_field="amount_recovered",
    description=_("统计周期内整改到位时为职工追回的工资、社保等金额"),
)

inspections.indicator(
    "cases.inspection_cases",
    _("检查发现立案"),
    unit=_("件"),
    queryset=lambda: InspectionFinding.objects.filter(case__isnull=False),
    path_field=_FINDING_PATH,
    date_field="case__received_at",
    description=_("统计周期内由执法检查发现问题立案办理的诉求件数"),
)
