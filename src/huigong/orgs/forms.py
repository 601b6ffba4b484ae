"""Workbench forms for organizations and grids. They only parse input and offer choices
from the user's scope; the rules are checked by ``huigong.orgs.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import style_form

from .models import GrassrootsCategory, Grid, Organization, OrgKind, OrgStatus
from .services import eligible_grid_officers
from .validators import ORG_FIELD_CLEANERS, clean_org_fields
from .widgets import OrganizationAutocomplete

#: Kinds that can have children: what parent pickers suggest.
FEDERATION_PICKER_KINDS = [k for k in OrgKind.values if k != OrgKind.GRASSROOTS]


class OrgChoiceField(forms.ModelChoiceField):
    widget = OrganizationAutocomplete
    default_error_messages = {
        "invalid_choice": _("所选组织不存在、已撤销或不在您可操作的范围内"),
    }

    def label_from_instance(self, obj: Organization) -> str:
        # Indent by depth so a long select still reads as a tree.
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class OrganizationField(forms.ModelChoiceField):
    """One organization, picked with the search-as-you-type picker and shown by its name
    alone (the form's queryset decides which are offered)."""

    widget = OrganizationAutocomplete

    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class TablerFormMixin:
    """Tabler/Bootstrap classes on every widget, and ``is-invalid`` on fields in error."""

    def _style(self) -> None:
        style_form(self, mark_errors=True)

    def full_clean(self):
        super().full_clean()
        self._style()

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Show a service's ``ValidationError`` on the matching fields (others on top)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
        else:
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        self._style()


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if isinstance(form, TablerFormMixin):
        form.apply_service_errors(exc)
    else:  # pragma: no cover - every form here uses the mixin
        form.add_error(NON_FIELD_ERRORS, exc)


class OrganizationForm(TablerFormMixin, forms.Form):
    """Fields of an organization; with ``choose_parent`` also the parent to create it under
    (choices: active organizations where the user may add organizations)."""

    parent = OrgChoiceField(
        label=_("上级组织"), queryset=Organization.objects.none(), required=True
    )
    name = forms.CharField(label=_("名称"), max_length=200)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("请选择")), *OrgKind.choices])
    category = forms.ChoiceField(
        label=_("基层工会类别"),
        choices=[("", "—"), *GrassrootsCategory.choices],
        required=False,
        help_text=_("只有基层工会填写"),
    )
    division_code = forms.CharField(
        label=_("行政区划代码"),
        max_length=20,
        required=False,
        help_text=_("6 位(县级及以上)、9 位(乡镇街道)或 12 位(村、社区)"),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("所在单位的 18 位统一社会信用代码"),
    )
    employee_count = forms.CharField(label=_("职工人数"), max_length=12, required=False)
    member_count = forms.CharField(label=_("会员人数"), max_length=12, required=False)
    founded_on = forms.CharField(
        label=_("成立日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, user, choose_parent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_parent:
            self.fields["parent"].queryset = (
                Organization.objects.visible_to(user, "orgs.add_organization")
                .filter(status=OrgStatus.ACTIVE)
                .exclude(kind=OrgKind.GRASSROOTS)
            )
            self.fields["parent"].widget.configure(
                perm="orgs.add_organization", kind=FEDERATION_PICKER_KINDS, active=True
            )
            # System administrators may start a new tree (a province, city or county).
            self.fields["parent"].required = not user.is_superuser
        else:
            del self.fields["parent"]
        self._style()

    def clean(self):
        # The same field checks the service makes, so every field error shows at once
        # even while another field (e.g. the parent) is still missing.
        cleaned = super().clean()
        values = {k: v for k, v in cleaned.items() if k in ORG_FIELD_CLEANERS}
        try:
            clean_org_fields(values)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return cleaned

    def service_values(self) -> dict:
        """The cleaned values as the service takes them (without the parent)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "parent"}

    @staticmethod
    def initial_from(org: Organization) -> dict:
        return {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "category": org.category,
            "division_code": org.division_code,
            "credit_code": org.credit_code,
            "employee_count": "" if org.employee_count is None else org.employee_count,
            "member_count": "" if org.member_count is None else org.member_count,
            "founded_on": org.founded_on.isoformat() if org.founded_on else "",
            "contact_name": org.contact_name,
            "contact_phone": org.contact_phone,
            "address": org.address,
        }


class MoveForm(TablerFormMixin, forms.Form):
    parent = OrgChoiceField(label=_("移到(新的上级组织)"), queryset=Organization.objects.none())

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            Organization.objects.visible_to(user, "orgs.move_organization")
            .filter(status=OrgStatus.ACTIVE)
            .exclude(kind=OrgKind.GRASSROOTS)
            .exclude(path__startswith=organization.path)
        )
        self.fields["parent"].widget.configure(
            perm="orgs.move_organization", kind=FEDERATION_PICKER_KINDS, active=True
        )
        self._style()


class MergeForm(TablerFormMixin, forms.Form):
    target = OrgChoiceField(label=_("并入(目标组织)"), queryset=Organization.objects.none())
    note = forms.CharField(label=_("说明"), max_length=150, required=False)
    confirm = forms.BooleanField(
        label=_("我已核对:合并后本组织的下级组织、职工、网格和岗位都将转到目标组织"),
        error_messages={"required": _("请勾选确认")},
    )

    def __init__(self, *args, user, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Organization.objects.visible_to(user, "orgs.merge_organization")
            .filter(status=OrgStatus.ACTIVE, kind=organization.kind)
            .exclude(path__startswith=organization.path)
        )
        self.fields["target"].widget.configure(
            perm="orgs.merge_organization", kind=organization.kind, active=True
        )
        self._style()


class DissolveForm(TablerFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200, required=False)
    confirm = forms.BooleanField(
        label=_("我确认撤销该组织"), error_messages={"required": _("请勾选确认")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class GridForm(TablerFormMixin, forms.Form):
    name = forms.CharField(label=_("网格名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=Grid.Level.choices)
    parent = forms.ModelChoiceField(
        label=_("上级网格"),
        queryset=Grid.objects.none(),
        required=False,
        empty_label=_("(无,顶层)"),
    )
    description = forms.CharField(label=_("范围说明"), max_length=200, required=False)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Grid.objects.filter(organization=organization).exclude(
            level=Grid.Level.MICRO
        )
        self._style()


class GridEditForm(TablerFormMixin, forms.Form):
    name = forms.CharField(label=_("网格名称"), max_length=100)
    description = forms.CharField(label=_("范围说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        # Names repeat; the username tells two 李敏 apart.
        return f"{obj}({obj.username})"


class GridOfficersForm(TablerFormMixin, forms.Form):
    officers = OfficerChoiceField(
        label=_("网格员"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只能选择在本组织及其下级有岗位的工作人员"),
    )

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officers"].queryset = eligible_grid_officers(grid.organization)
        self._style()
