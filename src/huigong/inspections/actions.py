"""What a user can do to a campaign (the kernel's ``ActionSet``), read by the campaign
page (one small form each, the plan form for ``update``) and by the API (the ``actions``
of a campaign, and the endpoints that run the same services): "which actions does this
user have on this campaign" has one answer.

An action is offered to staff holding ``inspections.manage_inspection`` at the campaign's
organization, in the states its service accepts, and when there is something to act on
(a visit needs a target, an order a finding, a result an open order, a case a finding
without one). The services check all of it again.

The page posts an action to ``<campaign>/<slug>/``, the slug being its form's prefix
(``target``, ``visit`` …, the paths the page has always had); the API names the actions
as here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel.actions import ActionSet, Check, in_states

from . import forms, services
from .models import (
    ACTIVE_INSPECTION_STATUSES,
    OPEN_RECTIFICATION_STATUSES,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    RectificationOrder,
)

inspection_actions = ActionSet(Inspection, permission=services.MANAGE)

_RUNNING = (InspectionStatus.IN_PROGRESS,)
_FOLLOW_UP = (InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED)
_active = in_states(*ACTIVE_INSPECTION_STATUSES)


def _has_targets(check: Check) -> bool:
    return check.obj.status in _RUNNING and check.obj.targets.exists()


def _following_up(model, campaign: str, **lookups) -> Callable[[Check], bool]:
    """Offered once the visits have begun, while the campaign (``campaign``: the path
    from ``model`` to it) has rows of ``model`` matching ``lookups`` to act on."""

    def when(check: Check) -> bool:
        rows = model.objects.filter(**{campaign: check.obj}, **lookups)
        return check.obj.status in _FOLLOW_UP and rows.exists()

    return when


_has_findings = _following_up(InspectionFinding, "target__inspection")
_has_findings_without_case = _following_up(
    InspectionFinding, "target__inspection", case__isnull=True
)
_has_open_orders = _following_up(
    RectificationOrder, "finding__target__inspection", status__in=OPEN_RECTIFICATION_STATUSES
)


def _action(name: str, label, success, form, when, service, *, on_campaign=True) -> None:
    """An action that passes its form's data to ``service``, with the campaign unless the
    form names the row it acts on (a target, a finding, an order)."""
    perform = inspection_actions.calls(service, all_data=True, with_object=on_campaign)
    inspection_actions.declare(
        name, label=label, success=success, form=form, when=when, perform=perform
    )


# Declared in the order the API has always listed them; the page orders its forms itself.

inspection_actions.declare(
    "start",
    label=pgettext_lazy("inspection", "开始检查"),
    success=_("已开始检查"),
    form=forms.StartForm,
    when=in_states(InspectionStatus.PLANNED),
    perform=inspection_actions.calls(services.start_inspection),
)
_action(
    "update",
    _("修改计划"),
    _("已保存"),
    forms.InspectionForm,
    _active,
    services.update_inspection,
)
_action(
    "add_target",
    pgettext_lazy("inspection", "添加检查对象"),
    _("已添加检查对象"),
    forms.TargetForm,
    _active,
    services.add_inspection_target,
)
_action(
    "cancel",
    pgettext_lazy("inspection", "取消检查"),
    _("已取消检查"),
    forms.CancelForm,
    _active,
    services.cancel_inspection,
)
_action(
    "record_visit",
    pgettext_lazy("inspection", "登记检查情况"),
    _("已登记检查情况"),
    forms.VisitForm,
    _has_targets,
    services.record_target_visit,
    on_campaign=False,
)
_action(
    "record_finding",
    pgettext_lazy("inspection", "登记发现问题"),
    _("已登记发现问题"),
    forms.FindingForm,
    _has_targets,
    services.record_finding,
    on_campaign=False,
)
_action(
    "finish",
    pgettext_lazy("inspection", "结束检查"),
    _("已结束检查"),
    forms.FinishForm,
    in_states(*_RUNNING),
    services.finish_inspection,
)
_action(
    "issue_order",
    pgettext_lazy("inspection", "下达整改通知"),
    _("已下达整改通知"),
    forms.OrderForm,
    _has_findings,
    services.issue_rectification_order,
    on_campaign=False,
)
_action(
    "record_rectification",
    pgettext_lazy("inspection", "登记整改结果"),
    _("已登记整改结果"),
    forms.RectifyForm,
    _has_open_orders,
    services.record_rectification,
    on_campaign=False,
)
_action(
    "open_case",
    pgettext_lazy("inspection", "立案转办"),
    _("已立案"),
    forms.OpenCaseForm,
    _has_findings_without_case,
    services.open_case_from_finding,
    on_campaign=False,
)


def page_action(slug: str):
    """The action the campaign page posts to ``<campaign>/<slug>/`` (its form's prefix),
    or ``None``."""
    for action in inspection_actions.of():
        if action.form is not None and getattr(action.form, "prefix_name", None) == slug:
            return action
    return None
