"""Reference data of the cases app: the standard category tree and the reasons for not
accepting a case."""

from __future__ import annotations

from django.db import transaction

from ..models import (
    CaseCategory,
    HandlingLevel,
    RefusalReason,
)

# -- reference data -------------------------------------------------------------------------------

#: code → (name, handling level, ordinary/difficult/complex working days). Wage arrears
#: follow the "5 working days for an ordinary case" practice of the seed articles; injury
#: and safety cases need the county (appraisals, inspections); advice stays in the grid.
DEFAULT_CATEGORIES: list[tuple[str, str, str, tuple[int, int, int]]] = [
    ("wage_arrears", "欠薪", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("labour_contract", "劳动合同", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("social_insurance", "社会保险", HandlingLevel.TOWNSHIP, (5, 10, 20)),
    ("work_injury", "工伤", HandlingLevel.COUNTY, (10, 20, 30)),
    ("occupational_safety", "职业安全", HandlingLevel.COUNTY, (5, 10, 20)),
    ("employment", "求职就业", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("skills_training", "技能培训", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("hardship_help", "困难帮扶", HandlingLevel.TOWNSHIP, (5, 10, 15)),
    ("legal_advice", "法律咨询", HandlingLevel.GRASSROOTS, (2, 5, 10)),
    ("counselling", "心理疏导", HandlingLevel.GRASSROOTS, (3, 5, 10)),
    ("daily_services", "生活服务", HandlingLevel.GRASSROOTS, (3, 5, 10)),
    ("other", "其他", HandlingLevel.TOWNSHIP, (5, 10, 20)),
]


#: code → name of the standard reasons for not accepting a case (不予受理).
DEFAULT_REFUSAL_REASONS: list[tuple[str, str]] = [
    ("not_union_matter", "不属于工会受理范围"),
    ("in_proceedings", "已进入仲裁或诉讼程序"),
    ("duplicate", "重复提交,已在办理"),
    ("unverifiable", "信息不全,无法核实"),
    ("other", "其他"),
]


@transaction.atomic
def seed_categories() -> int:
    """Create the standard case categories and refusal reasons that are missing (never
    changes existing ones, which administrators may have edited). Returns the number of
    categories created."""
    known = set(RefusalReason.objects.values_list("code", flat=True))
    RefusalReason.objects.bulk_create(
        RefusalReason(code=code, name=name, sort=sort * 10)
        for sort, (code, name) in enumerate(DEFAULT_REFUSAL_REASONS, start=1)
        if code not in known
    )
    existing = set(CaseCategory.objects.values_list("code", flat=True))
    created = 0
    for sort, (code, name, level, (ordinary, difficult, complex_)) in enumerate(
        DEFAULT_CATEGORIES, start=1
    ):
        if code in existing:
            continue
        CaseCategory.objects.add_root(
            instance=CaseCategory(
                code=code,
                name=name,
                handling_level=level,
                ordinary_days=ordinary,
                difficult_days=difficult,
                complex_days=complex_,
                sort=sort * 10,
            )
        )
        created += 1
    return created
