"""The actions of a case and of a mediation (``huigong.kernel.actions``): the workbench
shows a form per allowed action, the portal a button per worker action, and the API
lists the same names (``actions`` of a case's or a mediation's detail).

``when`` holds the state rules; the permission is checked at the object's organization.
The services check both again, so these only decide what is offered."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import can_proceed

from huigong.kernel.actions import ActionSet, in_states
from huigong.kernel.timeline import Audience

from . import services
from .forms import handling as case_forms
from .forms import mediation as mediation_forms
from .forms.base import add_service_errors
from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Mediation,
    ReferralStatus,
)
from .services import mediation as mediation_services

HANDLE = services.HANDLE
ACTIVE = (*OPEN_STATUSES, CaseStatus.RESOLVED)

case_actions = ActionSet(Case, permission=HANDLE, form_errors=add_service_errors)
calls = case_actions.calls


def _add_files(user, case: Case, data) -> None:
    with transaction.atomic():
        for upload in data["files"]:
            services.add_attachment(actor=user, case=case, file=upload)


def _can(transition: str):
    """Offered when the object's state machine allows ``transition`` now."""
    return lambda c: can_proceed(getattr(c.obj, transition))


def _rated(case: Case) -> bool:
    return bool(case.rated_at and case.resolved_at and case.rated_at >= case.resolved_at)


def _waiting_referrals(case: Case) -> bool:
    referrals = getattr(case, "referral_list", None)
    if referrals is None:
        referrals = list(case.referrals.all())
    return any(r.status != ReferralStatus.REPLIED for r in referrals)


def _open_supervisions(case: Case) -> bool:
    supervisions = getattr(case, "supervision_list", None)
    if supervisions is None:
        supervisions = list(case.supervisions.all())
    return any(s.responded_at is None for s in supervisions)


_active = in_states(*ACTIVE)
_open = in_states(*OPEN_STATUSES)
# The services staff and the worker both reach.
_add_note = calls(services.add_note, "note")
_rate = calls(services.rate_case, "satisfaction", note="")
_withdraw = calls(services.withdraw_case, "reason")


def _to_rate(c) -> bool:
    return c.obj.status == CaseStatus.RESOLVED and not _rated(c.obj)


def _escalable(c) -> bool:
    return c.obj.status in (CaseStatus.NEW, CaseStatus.ACCEPTED) and c.obj.organization.depth > 1


def _supervisable(c) -> bool:
    # Supervision is held above the case's organization, not at it.
    return (
        c.obj.status in OPEN_STATUSES
        and services.supervising_organization(c.user, c.obj) is not None
    )


case_actions.declare(
    "accept",
    label=pgettext_lazy("case action", "受理"),
    success=_("已受理"),
    form=case_forms.AcceptForm,
    when=_can("accept"),
    perform=calls(services.accept_case, assignee=None),
)
case_actions.declare(
    "refuse",
    label=pgettext_lazy("case action", "不予受理"),
    success=_("已不予受理,职工会收到理由"),
    form=case_forms.RefuseForm,
    when=_can("refuse"),
    perform=calls(services.refuse_case, "reason", "note"),
)
case_actions.declare(
    "note",
    label=pgettext_lazy("case action", "办理记录"),
    success=_("已添加办理记录"),
    form=case_forms.NoteForm,
    when=_active,
    perform=_add_note,
)
case_actions.declare(
    "contact",
    label=pgettext_lazy("case action", "联系记录"),
    success=_("已添加联系记录"),
    form=case_forms.ContactForm,
    when=_active,
    perform=calls(services.log_contact, "note", "method", "contact"),
)
case_actions.declare(
    "refer",
    label=pgettext_lazy("case action", "转办"),
    success=_("已转办"),
    form=case_forms.ReferForm,
    when=_can("refer"),
    perform=calls(services.refer_case, "department", "note"),
)
case_actions.declare(
    "reply",
    label=pgettext_lazy("case action", "登记部门答复"),
    success=_("已登记部门答复"),
    form=case_forms.ReplyForm,
    when=lambda c: c.obj.status == CaseStatus.REFERRED and _waiting_referrals(c.obj),
    perform=calls(
        services.record_department_reply,
        "referral",
        "reply_text",
        "replied_by",
        with_object=False,
    ),
)
case_actions.declare(
    "escalate",
    label=pgettext_lazy("case action", "上报"),
    success=_("已上报上级工会"),
    form=case_forms.EscalateForm,
    when=_escalable,
    perform=calls(services.escalate_case, "reason"),
)
case_actions.declare(
    "supervise",
    label=pgettext_lazy("case action", "督办"),
    success=_("已督办"),
    permission="",
    form=case_forms.SuperviseForm,
    when=_supervisable,
    perform=calls(services.supervise_case, "comment", "days"),
)
case_actions.declare(
    "answer",
    label=pgettext_lazy("case action", "回复督办"),
    success=_("已回复督办"),
    form=case_forms.AnswerForm,
    when=lambda c: _open_supervisions(c.obj) and c.obj.status not in FINAL_STATUSES,
    perform=calls(services.answer_supervision, "supervision", "response", with_object=False),
)
case_actions.declare(
    "resolve",
    label=pgettext_lazy("case action", "办结"),
    success=_("已办结"),
    form=case_forms.ResolveForm,
    when=_can("resolve"),
    perform=calls(
        services.resolve_case,
        "outcome",
        "result_text",
        amount_recovered=None,
        workers_benefited=None,
    ),
)
case_actions.declare(
    "rate",
    label=pgettext_lazy("case action", "回访评价"),
    success=_("已记录满意度"),
    form=case_forms.RateForm,
    when=_to_rate,
    perform=_rate,
)
case_actions.declare(
    "close",
    label=pgettext_lazy("case action", "归档"),
    success=_("已归档"),
    form=case_forms.CloseForm,
    when=_can("close"),
    perform=calls(services.close_case, note=""),
)
case_actions.declare(
    "reassign",
    label=pgettext_lazy("case action", "改派"),
    success=_("已改派"),
    form=case_forms.ReassignForm,
    when=in_states(CaseStatus.ACCEPTED, CaseStatus.REFERRED),
    perform=calls(services.reassign_case, "assignee", note=""),
)
case_actions.declare(
    "merge",
    label=pgettext_lazy("case action", "合并"),
    success=_("已合并"),
    form=case_forms.MergeForm,
    when=_open,
    perform=calls(services.merge_cases, "into", note=""),
)
case_actions.declare(
    "withdraw",
    label=pgettext_lazy("case action", "撤回"),
    success=_("已撤回"),
    form=case_forms.WithdrawForm,
    when=_open,
    perform=_withdraw,
)
case_actions.declare(
    "attach",
    label=pgettext_lazy("case action", "上传附件"),
    success=_("已上传附件"),
    form=case_forms.AttachForm,
    when=_active,
    perform=_add_files,
)
case_actions.declare(
    "update",
    label=pgettext_lazy("case action", "更正信息"),
    success=_("已更正诉求信息"),
    form=case_forms.UpdateForm,
    when=_open,
    perform=calls(services.update_case, **dict.fromkeys(services.UPDATABLE_FIELDS)),
)


# -- what the worker may do on their own case (portal, API) ----------------------------------

_WORKER_ADDED = _("已补充,办理人员会看到。")

for name, label, success, when, perform in (
    ("add_note", _("补充说明"), _WORKER_ADDED, _active, _add_note),
    ("add_attachment", _("补充照片或材料"), _WORKER_ADDED, _active, _add_files),
    ("rate", _("评价"), _("感谢您的评价!"), _to_rate, _rate),
    ("withdraw", _("撤回"), _("已撤回"), _open, _withdraw),
):
    case_actions.declare(
        name, label=label, success=success, audience=Audience.WORKER, when=when, perform=perform
    )


# -- mediation -------------------------------------------------------------------------------

MEDIATE = mediation_services.MEDIATE
mediation_actions = ActionSet(Mediation, permission=MEDIATE, form_errors=add_service_errors)


def _mediation_step(name, label, success, form, transition, service) -> None:
    mediation_actions.declare(
        name,
        label=label,
        success=success,
        form=form,
        when=_can(transition),
        perform=mediation_actions.calls(service, all_data=True),
    )


_mediation_step(
    "sort",
    pgettext_lazy("mediation", "分流"),
    _("已分流"),
    mediation_forms.SortForm,
    "sort",
    mediation_services.sort_mediation,
)
_mediation_step(
    "session",
    pgettext_lazy("mediation", "记录调解会"),
    _("已记录调解会"),
    mediation_forms.SessionForm,
    "hold_session",
    mediation_services.record_session,
)
_mediation_step(
    "agreement",
    pgettext_lazy("mediation", "达成协议"),
    _("已登记调解协议"),
    mediation_forms.AgreementForm,
    "agree",
    mediation_services.record_agreement,
)
_mediation_step(
    "no_agreement",
    pgettext_lazy("mediation", "调解不成"),
    _("已登记调解不成"),
    mediation_forms.NoAgreementForm,
    "fail",
    mediation_services.record_no_agreement,
)
_mediation_step(
    "withdraw",
    pgettext_lazy("mediation", "撤回调解"),
    _("已撤回调解"),
    mediation_forms.WithdrawForm,
    "withdraw",
    mediation_services.withdraw_mediation,
)
_mediation_step(
    "follow_up",
    pgettext_lazy("mediation", "回访"),
    _("已记录回访"),
    mediation_forms.FollowUpForm,
    "follow_up",
    mediation_services.record_follow_up,
)
_mediation_step(
    "file",
    pgettext_lazy("mediation", "归档"),
    _("已归档"),
    mediation_forms.FileForm,
    "file",
    mediation_services.file_mediation,
)
