"""Statistics of the organization tree (see ``huigong.kernel.indicators``)."""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import Indicator, IndicatorKind, Section, register, register_section

from .models import Organization, OrgKind, OrgStatus

#: The dashboard tab of the organization tree and its workers (``people`` shows there too).
ORGANIZATION = register_section(Section(key="organization", label=_("组织与职工"), order=10))


def _active_organizations():
    # Merged and dissolved organizations no longer exist for statistics; their rows are
    # counted under the organization they were merged into.
    return Organization.objects.filter(status=OrgStatus.ACTIVE)


register(
    Indicator(
        key="orgs.organizations",
        label=_("工会组织"),
        unit=_("个"),
        kind=IndicatorKind.STOCK,
        queryset=_active_organizations,
        section=ORGANIZATION,
        path_field="path",
        breakdown="kind",
        permission="orgs.view_organization",
        description=_("本级及下级的工会组织,按类型分列"),
        order=10,
    )
)

register(
    Indicator(
        key="orgs.grassroots",
        label=_("基层工会"),
        unit=_("个"),
        kind=IndicatorKind.STOCK,
        queryset=lambda: _active_organizations().filter(kind=OrgKind.GRASSROOTS),
        section=ORGANIZATION,
        path_field="path",
        breakdown="category",
        permission="orgs.view_organization",
        description=_("基层工会,按行政事业、企业、农村社区分类"),
        order=20,
    )
)
