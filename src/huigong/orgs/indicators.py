"""Statistics of the organization tree (see ``huigong.kernel.indicators``)."""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import IndicatorGroup, IndicatorKind, Section, register_section

from .models import Organization, OrgKind, OrgStatus

#: The dashboard tab of the organization tree and its workers (``people`` shows there too).
ORGANIZATION = register_section(Section(key="organization", label=_("组织与职工"), order=10))


def _active_organizations():
    # Merged and dissolved organizations no longer exist for statistics; their rows are
    # counted under the organization they were merged into.
    return Organization.objects.filter(status=OrgStatus.ACTIVE)


organizations = IndicatorGroup(
    ORGANIZATION,
    permission="orgs.view_organization",
    kind=IndicatorKind.STOCK,
    unit=_("个"),
    path_field="path",
)
organizations.indicator(
    "orgs.organizations",
    _("工会组织"),
    queryset=_active_organizations,
    breakdown="kind",
    description=_("本级及下级的工会组织,按类型分列"),
    order=10,
)
organizations.indicator(
    "orgs.grassroots",
    _("基层工会"),
    queryset=lambda: _active_organizations().filter(kind=OrgKind.GRASSROOTS),
    breakdown="category",
    description=_("基层工会,按行政事业、企业、农村社区分类"),
    order=20,
)
