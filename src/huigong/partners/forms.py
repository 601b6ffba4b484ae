"""The workbench form for managing a partner department. It only parses input and offers
choices from the user's scope; ``partners.services`` checks the rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from huigong.accounts.forms import UserMultipleChoiceField
from huigong.accounts.models import User
from huigong.orgs.forms import OrganizationField, TablerFormMixin
from huigong.orgs.models import Organization

from .models import Department, DepartmentKind
from .policy import MANAGE_DEPARTMENT, member_candidates


class DepartmentForm(TablerFormMixin, forms.Form):
    """Create or edit a partner department; the organization is chosen on creation only."""

    organization = OrganizationField(
        label=_("所属组织"),
        queryset=Organization.objects.none(),
        empty_label=None,
        help_text=_("该组织及其下级的诉求都可以转办给这个部门"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("请选择")), *DepartmentKind.choices])
    response_days = forms.IntegerField(
        label=_("答复时限(工作日)"), min_value=1, max_value=60, initial=5
    )
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    members = UserMultipleChoiceField(
        label=_("部门账号"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("持有“协作部门”角色的账号:登录工作台后可查看并答复转给本部门的事项"),
    )

    def __init__(self, *args, user, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.department = user, department
        if department is None:
            self.fields["organization"].queryset = Organization.objects.visible_to(
                user, MANAGE_DEPARTMENT
            ).only("id", "name", "path", "depth")
            self.fields["organization"].widget.configure(perm=MANAGE_DEPARTMENT)
        else:
            del self.fields["organization"]
        candidates = member_candidates(user)
        if department is not None:
            candidates = User.objects.filter(
                Q(pk__in=candidates.values("pk")) | Q(pk__in=department.members.values("pk"))
            ).order_by("name", "id")
            if not self.is_bound:
                self.initial.update(
                    {
                        "name": department.name,
                        "kind": department.kind,
                        "response_days": department.response_days,
                        "contact_name": department.contact_name,
                        "contact_phone": department.contact_phone,
                        "members": list(department.members.values_list("pk", flat=True)),
                    }
                )
        self.fields["members"].queryset = candidates
        self._style()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in ("name", "kind", "response_days", "contact_name", "contact_phone")
        }
        kwargs["members"] = list(data.get("members") or [])
        if self.department is None:
            kwargs["organization"] = data["organization"]
        return kwargs
