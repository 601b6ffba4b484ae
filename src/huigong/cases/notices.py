"""What a worker is told of each step of their case (the kinds ``CASE_EVENT_VISIBILITY``
tells; ``kernel.notices``), in plain words and in the reader's language: the number, who
acts, and what comes next. The text is built from the case and the notification's data
(the event's data and the note a worker may read) when it is read or sent."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huigong.kernel.notices import Notice, register_notice
from huigong.kernel.timeline import TELL_PREFIX
from huigong.partners.models import Department

from .models import Case, EventKind

#: Longest note quoted in a message (an SMS stays within a few parts).
QUOTE_LENGTH = 60


def _quote(note: str) -> str:
    note = " ".join((note or "").split())
    return note if len(note) <= QUOTE_LENGTH else note[: QUOTE_LENGTH - 1] + "…"


def _case_page(case: Case) -> str:
    return reverse("portal:case_detail", args=[case.pk])


def _department(data: dict) -> str:
    name = Department.objects.filter(pk=data.get("department")).values_list("name", flat=True)
    return name.first() or _("相关部门")


def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date_format(datetime.date.fromisoformat(value[:10]))
    except ValueError:
        return value


def _received(case: Case, data: dict) -> str:
    return _("我们已收到您的诉求(编号 %(number)s),%(org)s将在 %(due)s 前受理。") % {
        "number": case.number,
        "org": case.organization.name,
        "due": date_format(case.accept_due),
    }


def _accepted(case: Case, data: dict) -> str:
    return _("您的诉求 %(number)s 已由%(org)s受理,将在 %(due)s 前办结。") % {
        "number": case.number,
        "org": case.organization.name,
        "due": date_format(case.due_date),
    }


def _refused(case: Case, data: dict) -> str:
    text = _("您的诉求 %(number)s 未予受理,理由:%(reason)s。") % {
        "number": case.number,
        "reason": data.get("reason_name", ""),
    }
    if data.get("note"):
        text += _quote(data["note"]) + " "
    return text + _("如有新的情况或材料,可以重新提交。")


def _referred(case: Case, data: dict) -> str:
    return _("您的诉求 %(number)s 已转请%(department)s协助办理,工会继续跟进。") % {
        "number": case.number,
        "department": _department(data),
    }


def _replied(case: Case, data: dict) -> str:
    return _("%(department)s已就您的诉求 %(number)s 作出答复,工会将告诉您办理结果。") % {
        "number": case.number,
        "department": _department(data),
    }


def _escalated(case: Case, data: dict) -> str:
    return _("您的诉求 %(number)s 已交%(org)s办理。") % {
        "number": case.number,
        "org": case.organization.name,
    }


def _resolved(case: Case, data: dict) -> str:
    text = _("您的诉求 %(number)s 已办结。") % {"number": case.number}
    if data.get("note"):
        text += _("办理结果:%(result)s。") % {"result": _quote(data["note"])}
    return text + _("请对办理结果作出评价。")


def _reopened(case: Case, data: dict) -> str:
    return _("您的诉求 %(number)s 已重新办理,将在 %(due)s 前办结。") % {
        "number": case.number,
        "due": date_format(case.due_date),
    }


def _merged(case: Case, data: dict) -> str:
    return _("您的诉求 %(number)s 与同一事项的诉求合并办理。") % {"number": case.number}


def _mediation_opened(case: Case, data: dict) -> str:
    return _("您的调解申请(编号 %(number)s)已受理,调解员会与您联系。") % {
        "number": data.get("mediation_number", "")
    }


def _mediation_session(case: Case, data: dict) -> str:
    return _("调解会已于 %(day)s 在%(place)s召开(调解编号 %(number)s)。") % {
        "day": _date(data.get("held_at")),
        "place": data.get("place", ""),
        "number": data.get("mediation_number", ""),
    }


def _mediation_agreement(case: Case, data: dict) -> str:
    text = _("调解 %(number)s 已达成协议。") % {"number": data.get("mediation_number", "")}
    if data.get("performance_due"):
        text += _("履行期限:%(day)s。") % {"day": _date(data["performance_due"])}
    return text


def _mediation_failed(case: Case, data: dict) -> str:
    return _("调解 %(number)s 未能达成协议,工会将告诉您下一步怎么办。") % {
        "number": data.get("mediation_number", "")
    }


def register() -> None:
    steps = [
        (EventKind.RECEIVED, gettext_lazy("诉求已登记"), _received),
        (EventKind.ACCEPTED, gettext_lazy("诉求已受理"), _accepted),
        (EventKind.REFUSED, gettext_lazy("诉求未予受理"), _refused),
        (EventKind.REFERRED, gettext_lazy("已转请部门协办"), _referred),
        (EventKind.DEPARTMENT_REPLIED, gettext_lazy("协办部门已答复"), _replied),
        (EventKind.ESCALATED, gettext_lazy("诉求转上级工会办理"), _escalated),
        (EventKind.RESOLVED, gettext_lazy("诉求已办结,请评价"), _resolved),
        (EventKind.REOPENED, gettext_lazy("诉求重新办理"), _reopened),
        (EventKind.MERGED, gettext_lazy("诉求合并办理"), _merged),
        (EventKind.MEDIATION_OPENED, gettext_lazy("调解申请已受理"), _mediation_opened),
        (EventKind.MEDIATION_SESSION, gettext_lazy("调解会已召开"), _mediation_session),
        (EventKind.MEDIATION_AGREEMENT, gettext_lazy("已达成调解协议"), _mediation_agreement),
        (EventKind.MEDIATION_FAILED, gettext_lazy("调解未成"), _mediation_failed),
    ]
    register_notice(
        *(
            Notice(Case, TELL_PREFIX + kind, title=title, text=text, url=_case_page)
            for kind, title, text in steps
        )
    )
