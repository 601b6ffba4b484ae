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

from huigong.kernel.actions import ActionSet
from huigong.kernel.timeline import Audience

from . import services
from .forms import handling as case_forms
from .forms import mediation as mediation_forms
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

case_actions = ActionSet(Case)


def _add_files(user, case: Case, files) -> None:
    with transaction.atomic():
        for upload in files:
            services.add_attachment(actor=user, case=case, file=upload)


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


case_actions.action(
    "accept",
    label=pgettext_lazy("case action", "受理"),
    success=_("已受理"),
    permission=HANDLE,
    form=case_forms.AcceptForm,
    when=lambda c: can_proceed(c.obj.accept),
)(
    lambda user, case, data: services.accept_case(
        actor=user, case=case, assignee=data.get("assignee")
    )
)
case_actions.action(
    "note",
    label=pgettext_lazy("case action", "办理记录"),
    success=_("已添加办理记录"),
    permission=HANDLE,
    form=case_forms.NoteForm,
    when=lambda c: c.obj.status in ACTIVE,
)(lambda user, case, data: services.add_note(actor=user, case=case, note=data["note"]))
case_actions.action(
    "contact",
    label=pgettext_lazy("case action", "联系记录"),
    success=_("已添加联系记录"),
    permission=HANDLE,
    form=case_forms.ContactForm,
    when=lambda c: c.obj.status in ACTIVE,
)(
    lambda user, case, data: services.log_contact(
        actor=user, case=case, note=data["note"], method=data["method"], contact=data["contact"]
    )
)
case_actions.action(
    "refer",
    label=pgettext_lazy("case action", "转办"),
    success=_("已转办"),
    permission=HANDLE,
    form=case_forms.ReferForm,
    when=lambda c: can_proceed(c.obj.refer),
)(
    lambda user, case, data: services.refer_case(
        actor=user, case=case, department=data["department"], note=data["note"]
    )
)
case_actions.action(
    "reply",
    label=pgettext_lazy("case action", "登记部门答复"),
    success=_("已登记部门答复"),
    permission=HANDLE,
    form=case_forms.ReplyForm,
    when=lambda c: c.obj.status == CaseStatus.REFERRED and _waiting_referrals(c.obj),
)(
    lambda user, case, data: services.record_department_reply(
        actor=user,
        referral=data["referral"],
        reply_text=data["reply_text"],
        replied_by=data["replied_by"],
    )
)
case_actions.action(
    "escalate",
    label=pgettext_lazy("case action", "上报"),
    success=_("已上报上级工会"),
    permission=HANDLE,
    form=case_forms.EscalateForm,
    when=lambda c: (
        c.obj.status in (CaseStatus.NEW, CaseStatus.ACCEPTED) and c.obj.organization.depth > 1
    ),
)(lambda user, case, data: services.escalate_case(actor=user, case=case, reason=data["reason"]))
case_actions.action(
    "supervise",
    label=pgettext_lazy("case action", "督办"),
    success=_("已督办"),
    form=case_forms.SuperviseForm,
    # Supervision is held above the case's organization, not at it.
    when=lambda c: (
        c.obj.status in OPEN_STATUSES
        and services.supervising_organization(c.user, c.obj) is not None
    ),
)(
    lambda user, case, data: services.supervise_case(
        actor=user, case=case, comment=data["comment"], days=data["days"]
    )
)
case_actions.action(
    "answer",
    label=pgettext_lazy("case action", "回复督办"),
    success=_("已回复督办"),
    permission=HANDLE,
    form=case_forms.AnswerForm,
    when=lambda c: _open_supervisions(c.obj) and c.obj.status not in FINAL_STATUSES,
)(
    lambda user, case, data: services.answer_supervision(
        actor=user, supervision=data["supervision"], response=data["response"]
    )
)
case_actions.action(
    "resolve",
    label=pgettext_lazy("case action", "办结"),
    success=_("已办结"),
    permission=HANDLE,
    form=case_forms.ResolveForm,
    when=lambda c: can_proceed(c.obj.resolve),
)(
    lambda user, case, data: services.resolve_case(
        actor=user,
        case=case,
        outcome=data["outcome"],
        result_text=data["result_text"],
        amount_recovered=data.get("amount_recovered"),
        workers_benefited=data.get("workers_benefited"),
    )
)
case_actions.action(
    "rate",
    label=pgettext_lazy("case action", "回访评价"),
    success=_("已记录满意度"),
    permission=HANDLE,
    form=case_forms.RateForm,
    when=lambda c: c.obj.status == CaseStatus.RESOLVED and not _rated(c.obj),
)(
    lambda user, case, data: services.rate_case(
        actor=user, case=case, satisfaction=data["satisfaction"], note=data.get("note", "")
    )
)
case_actions.action(
    "close",
    label=pgettext_lazy("case action", "归档"),
    success=_("已归档"),
    permission=HANDLE,
    form=case_forms.CloseForm,
    when=lambda c: can_proceed(c.obj.close),
)(lambda user, case, data: services.close_case(actor=user, case=case, note=data.get("note", "")))
case_actions.action(
    "reassign",
    label=pgettext_lazy("case action", "改派"),
    success=_("已改派"),
    permission=HANDLE,
    form=case_forms.ReassignForm,
    when=lambda c: c.obj.status in (CaseStatus.ACCEPTED, CaseStatus.REFERRED),
)(
    lambda user, case, data: services.reassign_case(
        actor=user, case=case, assignee=data["assignee"], note=data.get("note", "")
    )
)
case_actions.action(
    "merge",
    label=pgettext_lazy("case action", "合并"),
    success=_("已合并"),
    permission=HANDLE,
    form=case_forms.MergeForm,
    when=lambda c: c.obj.status in OPEN_STATUSES,
)(
    lambda user, case, data: services.merge_cases(
        actor=user, case=case, into=data["into"], note=data.get("note", "")
    )
)
case_actions.action(
    "withdraw",
    label=pgettext_lazy("case action", "撤回"),
    success=_("已撤回"),
    permission=HANDLE,
    form=case_forms.WithdrawForm,
    when=lambda c: c.obj.status in OPEN_STATUSES,
)(lambda user, case, data: services.withdraw_case(actor=user, case=case, reason=data["reason"]))
case_actions.action(
    "attach",
    label=pgettext_lazy("case action", "上传附件"),
    success=_("已上传附件"),
    permission=HANDLE,
    form=case_forms.AttachForm,
    when=lambda c: c.obj.status in ACTIVE,
)(lambda user, case, data: _add_files(user, case, data["files"]))
case_actions.action(
    "update",
    label=pgettext_lazy("case action", "更正信息"),
    success=_("已更正诉求信息"),
    permission=HANDLE,
    form=case_forms.UpdateForm,
    when=lambda c: c.obj.status in OPEN_STATUSES,
)(
    lambda user, case, data: services.update_case(
        actor=user, case=case, **{name: data.get(name) for name in services.UPDATABLE_FIELDS}
    )
)


# -- what the worker may do on their own case (portal, API) ----------------------------------


case_actions.action(
    "add_note",
    label=_("补充说明"),
    success=_("已补充,办理人员会看到。"),
    audience=Audience.WORKER,
    when=lambda c: c.obj.status in ACTIVE,
)(lambda user, case, data: services.add_note(actor=user, case=case, note=data["note"]))
case_actions.action(
    "add_attachment",
    label=_("补充照片或材料"),
    success=_("已补充,办理人员会看到。"),
    audience=Audience.WORKER,
    when=lambda c: c.obj.status in ACTIVE,
)(lambda user, case, data: _add_files(user, case, data["files"]))
case_actions.action(
    "rate",
    label=_("评价"),
    success=_("感谢您的评价!"),
    audience=Audience.WORKER,
    when=lambda c: c.obj.status == CaseStatus.RESOLVED and not _rated(c.obj),
)(
    lambda user, case, data: services.rate_case(
        actor=user, case=case, satisfaction=data["satisfaction"], note=data.get("note", "")
    )
)
case_actions.action(
    "withdraw",
    label=_("撤回"),
    success=_("已撤回"),
    audience=Audience.WORKER,
    when=lambda c: c.obj.status in OPEN_STATUSES,
)(lambda user, case, data: services.withdraw_case(actor=user, case=case, reason=data["reason"]))


# -- mediation -------------------------------------------------------------------------------

mediation_actions = ActionSet(Mediation)
MEDIATE = mediation_services.MEDIATE


def _mediation_step(name, label, success, form, transition, service):
    mediation_actions.action(
        name,
        label=label,
        success=success,
        permission=MEDIATE,
        form=form,
        when=lambda c: can_proceed(getattr(c.obj, transition)),
    )(lambda user, mediation, data: service(actor=user, mediation=mediation, **data))


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
