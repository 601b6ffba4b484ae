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

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel.actions import ActionSet, Check

from . import forms, services
from .models import (
    ACTIVE_INSPECTION_STATUSES,
    OPEN_RECTIFICATION_STATUSES,
    Inspection,
    InspectionFinding,
    InspectionStatus,
    RectificationOrder,
)

inspection_actions = ActionSet(Inspection)

_RUNNING = (InspectionStatus.IN_PROGRESS,)
_FOLLOW_UP = (InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED)


def _in(states):
    return lambda check: check.obj.status in states


def _has_targets(check: Check) -> bool:
    return check.obj.status in _RUNNING and check.obj.targets.exists()


def _has_findings(check: Check) -> bool:
    return (
        check.obj.status in _FOLLOW_UP
        and InspectionFinding.objects.filter(target__inspection=check.obj).exists()
    )


def _has_open_orders(check: Check) -> bool:
    return (
        check.obj.status in _FOLLOW_UP
        and RectificationOrder.objects.filter(
            finding__target__inspection=check.obj, status__in=OPEN_RECTIFICATION_STATUSES
        ).exists()
    )


def _has_findings_without_case(check: Check) -> bool:
    return (
        check.obj.status in _FOLLOW_UP
        and InspectionFinding.objects.filter(
            target__inspection=check.obj, case__isnull=True
        ).exists()
    )


def _action(name: str, label, success, form, when):
    return inspection_actions.action(
        name,
        label=label,
        success=success,
        permission=services.MANAGE,
        form=form,
        when=when,
    )


# Declared in the order the API has always listed them; the page orders its forms itself.

_action(
    "start",
    pgettext_lazy("inspection", "开始检查"),
    _("已开始检查"),
    forms.StartForm,
    _in((InspectionStatus.PLANNED,)),
)(lambda user, inspection, data: services.start_inspection(actor=user, inspection=inspection))

_action(
    "update",
    _("修改计划"),
    _("已保存"),
    forms.InspectionForm,
    _in(ACTIVE_INSPECTION_STATUSES),
)(
    lambda user, inspection, data: services.update_inspection(
        actor=user, inspection=inspection, **data
    )
)

_action(
    "add_target",
    pgettext_lazy("inspection", "添加检查对象"),
    _("已添加检查对象"),
    forms.TargetForm,
    _in(ACTIVE_INSPECTION_STATUSES),
)(
    lambda user, inspection, data: services.add_inspection_target(
        actor=user, inspection=inspection, **data
    )
)

_action(
    "cancel",
    pgettext_lazy("inspection", "取消检查"),
    _("已取消检查"),
    forms.CancelForm,
    _in(ACTIVE_INSPECTION_STATUSES),
)(
    lambda user, inspection, data: services.cancel_inspection(
        actor=user, inspection=inspection, **data
    )
)

_action(
    "record_visit",
    pgettext_lazy("inspection", "登记检查情况"),
    _("已登记检查情况"),
    forms.VisitForm,
    _has_targets,
)(lambda user, inspection, data: services.record_target_visit(actor=user, **data))

_action(
    "record_finding",
    pgettext_lazy("inspection", "登记发现问题"),
    _("已登记发现问题"),
    forms.FindingForm,
    _has_targets,
)(lambda user, inspection, data: services.record_finding(actor=user, **data))

_action(
    "finish",
    pgettext_lazy("inspection", "结束检查"),
    _("已结束检查"),
    forms.FinishForm,
    _in(_RUNNING),
)(
    lambda user, inspection, data: services.finish_inspection(
        actor=user, inspection=inspection, **data
    )
)

_action(
    "issue_order",
    pgettext_lazy("inspection", "下达整改通知"),
    _("已下达整改通知"),
    forms.OrderForm,
    _has_findings,
)(lambda user, inspection, data: services.issue_rectification_order(actor=user, **data))

_action(
    "record_rectification",
    pgettext_lazy("inspection", "登记整改结果"),
    _("已登记整改结果"),
    forms.RectifyForm,
    _has_open_orders,
)(lambda user, inspection, data: services.record_rectification(actor=user, **data))

_action(
    "open_case",
    pgettext_lazy("inspection", "立案转办"),
    _("已立案"),
    forms.OpenCaseForm,
    _has_findings_without_case,
)(lambda user, inspection, data: services.open_case_from_finding(actor=user, **data))


def page_action(slug: str):
    """The action the campaign page posts to ``<campaign>/<slug>/`` (its form's prefix),
    or ``None``."""
    for action in inspection_actions.of():
        if action.form is not None and getattr(action.form, "prefix_name", None) == slug:
            return action
    return None
