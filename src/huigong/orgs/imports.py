"""Excel import of a piece of the organization tree.

Each row is one organization. Its parent is given by a name path ("祁东县总工会/黄土铺镇
工会联合会", read from the right, so the path may start at any level) or by a division
code, and may be an organization created by an earlier row of the same file. Every
parent must be inside the actor's scope. Rows are created through
``services.create_organization``, in file order, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.common.excel import Column, ImportSpec, RowResult

from .models import GrassrootsCategory, Organization, OrgKind, OrgStatus, kind_allowed_under
from .services import create_organization
from .validators import (
    clean_contact_phone,
    clean_count,
    clean_credit_code,
    clean_division_code,
    clean_founded_on,
    clean_name,
    clean_optional_text,
)

KIND_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in OrgKind.choices},
    **{value: value for value in OrgKind.values},
    "省总工会": OrgKind.PROVINCE,
    "市总工会": OrgKind.CITY,
    "县总工会": OrgKind.COUNTY,
    "区总工会": OrgKind.COUNTY,
    "县级总工会": OrgKind.COUNTY,
    "乡镇工会": OrgKind.TOWNSHIP,
    "街道工会": OrgKind.TOWNSHIP,
    "乡镇工会联合会": OrgKind.TOWNSHIP,
    "街道工会联合会": OrgKind.TOWNSHIP,
    "行业工会": OrgKind.INDUSTRY,
    "区域工会": OrgKind.REGIONAL,
}
CATEGORY_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in GrassrootsCategory.choices},
    **{value: value for value in GrassrootsCategory.values},
    "机关事业单位": GrassrootsCategory.PUBLIC,
    "事业单位": GrassrootsCategory.PUBLIC,
    "农村": GrassrootsCategory.RURAL_COMMUNITY,
    "社区": GrassrootsCategory.RURAL_COMMUNITY,
}


def _by_label(choices, text: str) -> str | None:
    """The value whose label in the active language is ``text`` (spaces and case aside):
    the English help and error messages name the translated labels."""
    key = text.replace(" ", "").casefold()
    for value, label in choices.choices:
        if str(label).replace(" ", "").casefold() == key:
            return value
    return None


def _parse_kind(text: str) -> str:
    kind = KIND_ALIASES.get(text.replace(" ", "")) or _by_label(OrgKind, text)
    if kind is None:
        raise ValidationError(
            _("无法识别的类型,请填写:%(kinds)s")
            % {"kinds": _("、").join(str(label) for label in OrgKind.labels)}
        )
    return str(kind)


def _parse_category(text: str) -> str:
    category = CATEGORY_ALIASES.get(text.replace(" ", "")) or _by_label(GrassrootsCategory, text)
    if category is None:
        raise ValidationError(
            _("无法识别的类别,请填写:%(cats)s")
            % {"cats": _("、").join(str(label) for label in GrassrootsCategory.labels)}
        )
    return str(category)


@dataclass
class _Parent:
    """A resolved parent: an existing organization, or a row earlier in the file."""

    kind: str
    names: list[str]  # full name path from the root
    org: Organization | None = None
    row_number: int | None = None
    division_code: str = ""
    children: set[str] = field(default_factory=set)  # names added by rows of this file

    @property
    def label(self) -> str:
        return "/".join(self.names)


class OrganizationImportSpec(ImportSpec):
    title = gettext_lazy("工会组织")
    columns = [
        Column(
            "name",
            gettext_lazy("名称"),
            required=True,
            parse=lambda v: clean_name(v, max_length=200, label=_("名称")),
            help=gettext_lazy("组织全称,如“新发食品有限公司工会”"),
        ),
        Column(
            "parent",
            gettext_lazy("上级组织"),
            required=True,
            aliases=("上级", "上级组织路径", "上级组织代码"),
            help=gettext_lazy(
                "上级组织的名称路径(用 / 分隔,如“祁东县总工会/黄土铺镇工会联合会”)"
                "或它的行政区划代码;可以是本文件前面几行新建的组织"
            ),
        ),
        Column(
            "kind",
            gettext_lazy("类型"),
            required=True,
            aliases=("组织类型",),
            parse=_parse_kind,
            help=gettext_lazy("省总工会、市总工会、县(区)总工会、乡镇(街道)工会、基层工会等"),
        ),
        Column(
            "short_name",
            gettext_lazy("简称"),
            parse=lambda v: clean_optional_text(v, max_length=60, label=_("简称")),
        ),
        Column(
            "category",
            gettext_lazy("基层工会类别"),
            aliases=("类别",),
            parse=_parse_category,
            help=gettext_lazy("只有基层工会填写:行政事业、企业、农村社区"),
        ),
        Column(
            "division_code",
            gettext_lazy("行政区划代码"),
            aliases=("区划代码",),
            parse=clean_division_code,
            help=gettext_lazy("6、9 或 12 位数字"),
        ),
        Column(
            "credit_code",
            gettext_lazy("统一社会信用代码"),
            aliases=("信用代码",),
            parse=clean_credit_code,
        ),
        Column(
            "employee_count",
            gettext_lazy("职工人数"),
            parse=lambda v: clean_count(v, label=_("职工人数")),
        ),
        Column(
            "member_count",
            gettext_lazy("会员人数"),
            parse=lambda v: clean_count(v, label=_("会员人数")),
        ),
        Column(
            "founded_on",
            gettext_lazy("成立日期"),
            parse=clean_founded_on,
            help=gettext_lazy("如 2020-05-01"),
        ),
        Column(
            "contact_name",
            gettext_lazy("联系人"),
            parse=lambda v: clean_optional_text(v, max_length=50, label=_("联系人")),
        ),
        Column("contact_phone", gettext_lazy("联系电话"), parse=clean_contact_phone),
        Column(
            "address",
            gettext_lazy("地址"),
            parse=lambda v: clean_optional_text(v, max_length=200, label=_("地址")),
        ),
    ]

    def begin(self) -> None:
        # Parents met so far: existing organizations (by pk) and rows of this file.
        self._existing: dict[int, _Parent] = {}
        self._from_rows: list[_Parent] = []
        self._created: dict[int, Organization] = {}
        self._lookup_cache: dict[str, list[Organization]] = {}

    # -- finding parents ---------------------------------------------------------------

    def _parent_scope(self):
        """Active organizations where the actor may both import and add organizations."""
        return (
            Organization.objects.visible_to(self.actor, "orgs.add_organization")
            .visible_to(self.actor, "orgs.import_organization")
            .filter(status=OrgStatus.ACTIVE)
        )

    def _wrap(self, orgs: list[Organization]) -> list[_Parent]:
        """Existing organizations as parents, with their full name paths (one query)."""
        missing = [o for o in orgs if o.pk not in self._existing]
        if missing:
            ancestor_paths = {
                o.path[:end]
                for o in missing
                for end in range(Organization.steplen, len(o.path), Organization.steplen)
            }
            names = dict(
                Organization.objects.filter(path__in=ancestor_paths).values_list("path", "name")
            )
            for o in missing:
                chain = [
                    names.get(o.path[:end], "")
                    for end in range(Organization.steplen, len(o.path), Organization.steplen)
                ]
                self._existing[o.pk] = _Parent(
                    kind=o.kind, names=[*chain, o.name], org=o, division_code=o.division_code
                )
        return [self._existing[o.pk] for o in orgs]

    def _cached(self, key: str, query) -> list[Organization]:
        """Organizations of the database matching ``query``, except those this import
        created itself: rows of the file stand for them (``_from_rows``)."""
        if key not in self._lookup_cache:
            self._lookup_cache[key] = list(query[:50])
        created = {org.pk for org in self._created.values()}
        return [org for org in self._lookup_cache[key] if org.pk not in created]

    def _resolve_parent(self, text: str) -> _Parent:
        column = _("“上级组织”列")
        segments = [s.strip() for s in text.split("/") if s.strip()]
        if not segments:
            raise ValidationError(_("%(col)s不能为空") % {"col": column})
        if len(segments) == 1 and segments[0].isdigit():
            code = segments[0]
            found = self._wrap(
                self._cached(f"code:{code}", self._parent_scope().filter(division_code=code))
            ) + [p for p in self._from_rows if p.division_code == code]
            what = _("行政区划代码为 %(code)s 的组织") % {"code": code}
        else:
            last = segments[-1]
            candidates = self._wrap(
                self._cached(f"name:{last}", self._parent_scope().filter(name=last))
            ) + [p for p in self._from_rows if p.names[-1] == last]
            found = [p for p in candidates if p.names[-len(segments) :] == segments]
            what = _("上级组织“%(path)s”") % {"path": "/".join(segments)}
        if not found:
            raise ValidationError(
                _("%(col)s:找不到%(what)s,或它不在您可以导入的范围内")
                % {"col": column, "what": what}
            )
        if len(found) > 1:
            raise ValidationError(
                _("%(col)s:%(what)s不止一个(%(options)s),请写出更完整的名称路径")
                % {
                    "col": column,
                    "what": what,
                    "options": ";".join(p.label for p in found[:3]),
                }
            )
        return found[0]

    # -- checks --------------------------------------------------------------------------

    def validate_row(self, row: RowResult) -> None:
        values = row.values
        parent = self._resolve_parent(values["parent"])
        kind, name = values["kind"], values["name"]
        errors = []
        if not kind_allowed_under(kind, parent.kind):
            errors.append(
                _("“类型”列:%(kind)s不能设在%(parent_kind)s“%(parent)s”之下")
                % {
                    "kind": OrgKind(kind).label,
                    "parent_kind": OrgKind(parent.kind).label,
                    "parent": parent.names[-1],
                }
            )
        if values.get("category") and kind != OrgKind.GRASSROOTS:
            errors.append(_("“基层工会类别”列:只有基层工会才有类别"))
        if name in parent.children:
            errors.append(
                _("“名称”列:本文件前面已有“%(parent)s”下的同名组织“%(name)s”")
                % {"parent": parent.names[-1], "name": name}
            )
        elif parent.org is not None and (
            Organization.objects.filter(
                depth=parent.org.depth + 1,
                path__startswith=parent.org.path,
                name=name,
                status=OrgStatus.ACTIVE,
            ).exists()
        ):
            errors.append(
                _("“名称”列:“%(parent)s”下已有名为“%(name)s”的组织")
                % {"parent": parent.names[-1], "name": name}
            )
        if errors:
            raise ValidationError(errors)
        parent.children.add(name)
        self._from_rows.append(
            _Parent(
                kind=kind,
                names=[*parent.names, name],
                row_number=row.number,
                division_code=values.get("division_code") or "",
            )
        )
        values["_parent"] = parent

    # -- saving --------------------------------------------------------------------------

    def save_row(self, row: RowResult) -> Any:
        values = dict(row.values)
        parent_ref: _Parent = values.pop("_parent")
        parent = (
            parent_ref.org
            if parent_ref.org is not None
            else self._created.get(parent_ref.row_number)
        )
        if parent is None:
            # Its parent is a row of the file that was refused at import.
            raise ValidationError(
                _("上级组织(第 %(row)d 行)未能导入,本行也不导入") % {"row": parent_ref.row_number}
            )
        values.pop("parent")
        fields = {k: v for k, v in values.items() if v is not None}
        org = create_organization(actor=self.actor, parent=parent, **fields)
        self._created[row.number] = org
        return org
