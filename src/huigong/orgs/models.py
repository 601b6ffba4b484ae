"""The union organization tree and the grids used for routing.

Every domain row in Huigong belongs to an ``Organization``; what a staff user may see is
the union of the subtrees where they hold a role (see ``huigong.kernel.scope``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from huigong.kernel.scope import ScopedQuerySetMixin


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("省总工会")
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县(区)总工会")
    TOWNSHIP = "township", _("乡镇(街道)工会")
    GRASSROOTS = "grassroots", _("基层工会")
    INDUSTRY = "industry", _("行业工会联合会")
    REGIONAL = "regional", _("区域工会联合会")


#: Kinds that are federations (have a territory and children), as opposed to grassroots.
FEDERATION_KINDS = {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.TOWNSHIP}


#: Which kind of organization may sit directly under which (None: a root of the tree).
#: Counties may hang under a province (省直管县) and townships under a city without
#: counties (e.g. 东莞); industry and regional federations exist at every federation
#: level; a grassroots union is a leaf (its branches and groups are not organizations).
ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
    OrgKind.PROVINCE: frozenset({None}),
    OrgKind.CITY: frozenset({None, OrgKind.PROVINCE}),
    OrgKind.COUNTY: frozenset({None, OrgKind.PROVINCE, OrgKind.CITY}),
    OrgKind.TOWNSHIP: frozenset({OrgKind.CITY, OrgKind.COUNTY}),
    OrgKind.INDUSTRY: frozenset(FEDERATION_KINDS),
    OrgKind.REGIONAL: frozenset(FEDERATION_KINDS),
    OrgKind.GRASSROOTS: frozenset({*FEDERATION_KINDS, OrgKind.INDUSTRY, OrgKind.REGIONAL}),
}


def kind_allowed_under(kind: str, parent_kind: str | None) -> bool:
    """True when an organization of ``kind`` may be a child of one of ``parent_kind``."""
    return parent_kind in ALLOWED_PARENT_KINDS.get(kind, frozenset())


def organization_link(
    verbose_name, *, related_name: str, on_delete=models.PROTECT, **options
) -> models.ForeignKey:
    """The organization a row belongs to: its data scope (``visible_to``). Protected by
    default: an organization with rows is merged or dissolved, never deleted."""
    return models.ForeignKey(
        "orgs.Organization",
        verbose_name=verbose_name,
        on_delete=on_delete,
        related_name=related_name,
        **options,
    )


def employer_link(verbose_name, *, related_name: str) -> models.ForeignKey:
    """An employer (or other unit) that has a union in the tree, where there is one; the
    row keeps its name as text beside it, so the link may be empty."""
    return models.ForeignKey(
        "orgs.Organization",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class GrassrootsCategory(models.TextChoices):
    PUBLIC = "public", _("行政事业")
    ENTERPRISE = "enterprise", _("企业")
    RURAL_COMMUNITY = "rural_community", _("农村社区")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    MERGED = "merged", _("已合并")
    DISSOLVED = "dissolved", _("已撤销")


class OrganizationQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    scope_path_field = "path"

    def active(self):
        return self.filter(status=OrgStatus.ACTIVE)

    def children_of(self, org: Organization | None):
        """Direct children of ``org`` (the roots for None), whatever their status."""
        if org is None:
            return self.filter(depth=1)
        return self.filter(depth=org.depth + 1, path__startswith=org.path)

    def provinces(self) -> dict[int, int]:
        """{organization id: id of its province-level root} for these organizations, in
        one query (the root is the node whose path is the first step of theirs). Large
        tables copy it onto their rows so a province can be sharded without a join."""
        root = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Organization.steplen)
        ).order_by()
        return dict(
            self.order_by()
            .annotate(root_id=Subquery(root.values("pk")[:1]))
            .values_list("pk", "root_id")
        )

    def with_parent(self):
        """Annotate ``parent_name`` and ``parent_id``: the tree has no parent column, the
        parent is the row whose path is this path without its last step."""
        parent = Organization.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
        ).order_by()
        return self.annotate(
            parent_name=Subquery(parent.values("name")[:1]),
            parent_id=Subquery(parent.values("pk")[:1]),
        )


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model).order_by("path")


def _coordinate(verbose_name, limit: int, help_text) -> models.DecimalField:
    """An optional latitude or longitude in degrees (six decimals: about 0.1 m)."""
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
        help_text=help_text,
    )


class Organization(MP_Node):
    """A node of the union tree: a federation at some level, or a grassroots union."""

    # 4 characters per level in base-36 → 1.6 million children per node, 63 levels deep.
    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by = []

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    division_code = models.CharField(
        _("行政区划代码"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("GB/T 2260 代码,6 位(县级及以上)或 9/12 位(乡镇、村)"),
    )
    category = models.CharField(
        _("基层工会类别"), max_length=20, choices=GrassrootsCategory.choices, blank=True
    )
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        db_index=True,
        help_text=_("所在单位的统一社会信用代码"),
    )
    employee_count = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("会员人数"), null=True, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=OrgStatus.choices, default=OrgStatus.ACTIVE, db_index=True
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # GCJ-02, the datum of Chinese map services (高德, 腾讯): a point read off their maps
    # is stored as it is, and lands where it was picked on their tiles.
    latitude = _coordinate(
        _("纬度"), 90, _("GCJ-02 坐标系(高德、腾讯地图所用),如 26.787654;用于统计地图")
    )
    longitude = _coordinate(
        _("经度"), 180, _("GCJ-02 坐标系(高德、腾讯地图所用),如 112.123456;用于统计地图")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = verbose_name_plural = _("工会组织")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category="") | models.Q(kind="grassroots"),
                name="org_category_only_for_grassroots",
            ),
        ]
        permissions = [
            ("move_organization", _("移动组织")),
            ("merge_organization", _("合并组织")),
            ("import_organization", _("导入组织")),
            ("export_organization", _("导出组织")),
            ("dissolve_organization", _("撤销组织")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.category and self.kind != OrgKind.GRASSROOTS:
            raise ValidationError({"category": _("只有基层工会才有类别")})

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.pk])

    def audit_org_path(self) -> str:
        """An organization's audit entries belong to itself (its auditors see them)."""
        return self.path

    @property
    def is_federation(self) -> bool:
        return self.kind in FEDERATION_KINDS

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def parent_path(self) -> str:
        """Materialized path of the parent ("" for a root)."""
        return self.path[: -self.steplen]

    def name_path(self, sep: str = " / ") -> str:
        """Full name from the root, e.g. 湖南省总工会 / 衡阳市总工会 / 祁东县总工会."""
        return sep.join(a.name for a in [*Organization.objects.get_ancestors(self), self])


class GridQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    scope_path_field = "organization__path"


class GridManager(MP_NodeManager.from_queryset(GridQuerySet)):
    def get_queryset(self):
        return GridQuerySet(self.model).order_by("path")


class Grid(MP_Node):
    """A routing area attached to an organization: area → grid → micro-grid."""

    class Level(models.TextChoices):
        AREA = "area", _("片区")
        GRID = "grid", _("网格")
        MICRO = "micro", _("微网格")

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by = []

    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="grids"
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    description = models.CharField(_("范围说明"), max_length=200, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), blank=True, related_name="grids"
    )

    objects = GridManager()

    class Meta:
        verbose_name = verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return self.name

    #: The level a child grid must have under a grid of each level (micro-grids are leaves).
    CHILD_LEVEL = {Level.AREA: Level.GRID, Level.GRID: Level.MICRO}
    #: Levels allowed without a parent grid (small townships skip the area level).
    ROOT_LEVELS = frozenset({Level.AREA, Level.GRID})
