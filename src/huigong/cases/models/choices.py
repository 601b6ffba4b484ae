"""Choices shared by cases, referrals and notifications."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from huigong.kernel.timeline import Visibility

# -- choices ------------------------------------------------------------------------------


class HandlingLevel(models.TextChoices):
    """Which level handles a category by default: small matters stay in the grid
    (小事不出网格), bigger ones in the township, big ones go to the county (大事不出网络)."""

    GRASSROOTS = "grassroots", _("基层(网格)")
    TOWNSHIP = "township", _("乡镇(街道)")
    COUNTY = "county", _("县(区)")


class CaseKind(models.TextChoices):
    DEMAND = "demand", _("诉求")
    HELP = "help", _("求助")
    RIGHTS = "rights", _("维权")
    CONSULTATION = "consultation", _("咨询")
    SUGGESTION = "suggestion", _("建议")


class Complexity(models.TextChoices):
    ORDINARY = "ordinary", _("一般")
    DIFFICULT = "difficult", _("疑难")
    COMPLEX = "complex", _("复杂")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("站点来访")
    HOTLINE = "hotline_12351", _("12351 热线")
    PORTAL = "portal", _("职工门户")
    API = "api", _("小程序/接口")
    GRID_OFFICER = "grid_officer", _("网格员上报")
    DEPUTY_REFERRAL = "deputy_referral", _("代表转交")
    LETTER = "letter", _("来信")
    INSPECTION = "inspection", _("执法检查发现")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class CaseStatus(models.TextChoices):
    NEW = "new", _("待受理")
    ACCEPTED = "accepted", _("办理中")
    REFERRED = "referred", _("转办待复")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")
    MERGED = "merged", _("已合并")
    WITHDRAWN = "withdrawn", _("已撤回")
    REFUSED = "refused", _("不予受理")


#: Statuses whose deadline is running (the sweep looks at these only).
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.REFERRED)
#: Statuses from which a case may be escalated to the parent organization.
ESCALATABLE_STATUSES = (CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.RESOLVED)
#: Statuses that end the case for good.
FINAL_STATUSES = (
    CaseStatus.CLOSED,
    CaseStatus.MERGED,
    CaseStatus.WITHDRAWN,
    CaseStatus.REFUSED,
)


class Outcome(models.TextChoices):
    IN_FAVOUR = "resolved_in_favour", _("诉求得到解决")
    PARTIALLY = "partially", _("部分解决")
    NOT_SUPPORTED = "not_supported", _("诉求不予支持")
    REFERRED_OUT = "referred_out", _("移交仲裁或法院")
    ADVICE_GIVEN = "advice_given", _("已解答或提供建议")
    HELP_GIVEN = "help_given", _("已提供帮扶")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CO_APPLICANT = "co_applicant", _("共同申请人")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("登记受理")
    ROUTED = "routed", _("分派")
    ACCEPTED = "accepted", _("受理")
    REFUSED = "refused", _("不予受理")
    NOTE = "note", _("备注")
    CONTACT = "contact", _("联系记录")
    REFERRED = "referred", _("转办")
    DEPARTMENT_REPLIED = "department_replied", _("部门答复")
    ESCALATED = "escalated", _("上报")
    SUPERVISED = "supervised", _("督办")
    SUPERVISION_ANSWERED = "supervision_answered", _("督办回复")
    RESOLVED = "resolved", _("办结")
    RATED = "rated", _("满意度评价")
    REOPENED = "reopened", _("重新办理")
    CLOSED = "closed", _("归档")
    MERGED = "merged", _("合并")
    REASSIGNED = "reassigned", _("改派")
    WITHDRAWN = "withdrawn", _("撤回")
    MARKED_DUE_SOON = "marked_due_soon", _("即将到期")
    MARKED_OVERDUE = "marked_overdue", _("已逾期")
    ATTACHMENT_ADDED = "attachment_added", _("上传附件")
    UPDATED = "updated", _("更正信息")
    MEDIATION_OPENED = "mediation_opened", _("受理调解")
    MEDIATION_SORTED = "mediation_sorted", _("调解分流")
    MEDIATION_SESSION = "mediation_session", _("调解会")
    MEDIATION_AGREEMENT = "mediation_agreement", _("达成调解协议")
    MEDIATION_FAILED = "mediation_failed", _("调解不成")
    MEDIATION_WITHDRAWN = "mediation_withdrawn", _("撤回调解")
    MEDIATION_FOLLOWED_UP = "mediation_followed_up", _("调解回访")
    MEDIATION_FILED = "mediation_filed", _("调解归档")


#: What a worker sees of their own case's timeline (staff in scope see it all): what
#: happened to the case and to its mediation, not working notes, contact logs,
#: supervision, reassignment, deadline marks, staff uploads or the sorting of a mediation
#: to a team. Of those shown, only the notes meant for the worker are read out: the
#: result, the reason of a withdrawal or a reopening, the rating remark, the matters put
#: to mediation and the agreement's terms; a session's note is its minutes, and a failed
#: mediation's, a follow-up's and a filing's are staff notes.
CASE_EVENT_VISIBILITY = Visibility(
    worker=frozenset(
        {
            EventKind.RECEIVED,
            EventKind.ROUTED,
            EventKind.ACCEPTED,
            EventKind.REFUSED,
            EventKind.REFERRED,
            EventKind.DEPARTMENT_REPLIED,
            EventKind.ESCALATED,
            EventKind.RESOLVED,
            EventKind.RATED,
            EventKind.REOPENED,
            EventKind.CLOSED,
            EventKind.MERGED,
            EventKind.WITHDRAWN,
            EventKind.MEDIATION_OPENED,
            EventKind.MEDIATION_SESSION,
            EventKind.MEDIATION_AGREEMENT,
            EventKind.MEDIATION_FAILED,
            EventKind.MEDIATION_WITHDRAWN,
            EventKind.MEDIATION_FOLLOWED_UP,
            EventKind.MEDIATION_FILED,
        }
    ),
    worker_note=frozenset(
        {
            EventKind.REFUSED,
            EventKind.RESOLVED,
            EventKind.RATED,
            EventKind.REOPENED,
            EventKind.WITHDRAWN,
            EventKind.MEDIATION_OPENED,
            EventKind.MEDIATION_AGREEMENT,
            EventKind.MEDIATION_WITHDRAWN,
        }
    ),
    # The steps a worker is told of as they happen (inbox, SMS, WeChat): the receipt of
    # what they submitted themselves too; the rest only when someone else acted.
    told=frozenset(
        {
            EventKind.RECEIVED,
            EventKind.ACCEPTED,
            EventKind.REFUSED,
            EventKind.REFERRED,
            EventKind.DEPARTMENT_REPLIED,
            EventKind.ESCALATED,
            EventKind.RESOLVED,
            EventKind.REOPENED,
            EventKind.MERGED,
            EventKind.MEDIATION_OPENED,
            EventKind.MEDIATION_SESSION,
            EventKind.MEDIATION_AGREEMENT,
            EventKind.MEDIATION_FAILED,
        }
    ),
    told_own=frozenset({EventKind.RECEIVED}),
)


class ReferralStatus(models.TextChoices):
    WAITING = "waiting", _("待答复")
    REPLIED = "replied", _("已答复")
    OVERDUE = "overdue", _("逾期未复")


class NotificationKind(models.TextChoices):
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("待受理")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    ESCALATED = "escalated", _("上报到本级")
    SUPERVISED = "supervised", _("被督办")
    REFERRAL_OVERDUE = "referral_overdue", _("转办逾期未复")
    REOPENED = "reopened", _("评价不满意,重新办理")
    ASSIGNED = "assigned", _("分派给我")
    ACCEPTANCE_OVERDUE = "acceptance_overdue", _("超时未受理")
    SUPERVISION_OVERDUE = "supervision_overdue", _("督办逾期未回复")
    REFERRAL_REPLIED = "referral_replied", _("协作部门已答复")
