"""The deadline sweep of cases (registered as the sweep ``cases.deadlines``).

The sweep (Celery beat, or ``python -m huigong sweep_case_deadlines`` from cron) scans
open cases by their due date (a partial index) and, on the working-day calendar:

- marks cases due within ``DUE_SOON_WORKING_DAYS`` working days as *due soon*;
- marks cases whose due date has passed — a working day has gone by after it without
  the case being resolved — as *overdue*;
- escalates overdue cases that await acceptance or are in hand to the parent
  organization, when the category and ``settings.CASES_AUTO_ESCALATE_OVERDUE`` allow it;
  the escalated case gets fresh deadlines at the new level, so it climbs at most one
  level per missed deadline;
- marks referrals whose department has not replied in time as overdue;
- reminds the owner and the handlers of the organization, once per level, of a case
  still awaiting acceptance after its acceptance deadline (超时未受理);
- reminds the handler and the supervisor, once, of a supervision not answered in time
  (督办逾期未回复).

Each row is claimed with a compare-and-set ``UPDATE … WHERE <old value>`` (healthchecks'
``sendalerts``): when two workers sweep at once, only the one whose update changed the
row writes the event, the notification or the escalation, so nothing happens twice.

Notifications are not sent one by one: the kernel's ``send_daily_digests`` sends each user one
message a day listing everything queued for them.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.common.workdays import (
    add_working_days,
    overdue_cutoff,
    register_deadline_years,
)
from huigong.kernel.notifications import notify

from . import events
from .models import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    NotificationKind,
    Referral,
    ReferralStatus,
    Supervision,
)

logger = logging.getLogger(__name__)

#: A case is "due soon" when at most this many working days are left.
DUE_SOON_WORKING_DAYS = 2
#: Statuses in which an overdue case is escalated automatically. A case referred to a
#: department waits for the department (whose referral has its own deadline).
AUTO_ESCALATE_STATUSES = (CaseStatus.NEW, CaseStatus.ACCEPTED)


@register_deadline_years
def open_case_deadline_years() -> list[int]:
    """Years in which open case deadlines fall (for the holiday-schedule check)."""
    years = {d.year for d in Case.objects.open().dates("due_date", "year")}
    years |= {d.year for d in Referral.objects.filter(status="waiting").dates("due_date", "year")}
    return sorted(years)


@dataclass
class SweepResult:
    due_soon: int = 0
    overdue: int = 0
    escalated: int = 0
    referrals_overdue: int = 0
    acceptance_overdue: int = 0
    supervisions_overdue: int = 0


def auto_escalate_enabled(case: Case) -> bool:
    return bool(getattr(settings, "CASES_AUTO_ESCALATE_OVERDUE", True)) and bool(
        case.category.auto_escalate
    )


def _mark_overdue(case: Case, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk, is_overdue=False, status__in=OPEN_STATUSES, due_date=case.due_date
        ).update(
            is_overdue=True,
            due_soon=False,
            overdue_marked_at=Coalesce(F("overdue_marked_at"), now),
        )
        if not claimed:
            return False
        case.refresh_from_db()
        events.case_overdue_event(case=case, time=now)
        notify([case.assignee, case.owner], case, NotificationKind.OVERDUE)
    return True


def _auto_escalate(case: Case, now: datetime.datetime) -> bool:
    from .services.escalation import escalate_to_parent

    with transaction.atomic():
        # The claim: only the worker whose update flips the flag at this level escalates.
        claimed = Case.objects.filter(
            pk=case.pk,
            organization_id=case.organization_id,
            status=case.status,
            is_overdue=True,
        ).update(is_overdue=False)
        if not claimed:
            return False
        locked = Case.objects.select_for_update().select_related("organization", "category")
        case = locked.get(pk=case.pk)
        escalate_to_parent(
            case,
            actor=None,
            reason=_("逾期未办结,按规则自动上报上级工会"),
            automatic=True,
            now=now,
        )
    return True


def _mark_due_soon(case: Case, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk,
            due_soon=False,
            is_overdue=False,
            status__in=OPEN_STATUSES,
            due_date=case.due_date,
        ).update(due_soon=True)
        if not claimed:
            return False
        events.case_due_soon_event(case=case, time=now)
        notify([case.assignee, case.owner], case, NotificationKind.DUE_SOON)
    return True


def _mark_referral_overdue(referral: Referral) -> bool:
    with transaction.atomic():
        claimed = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.WAITING).update(
            status=ReferralStatus.OVERDUE
        )
        if not claimed:
            return False
        case = referral.case
        notify([case.assignee, case.owner], case, NotificationKind.REFERRAL_OVERDUE)
    return True


def _remind_acceptance_overdue(case: Case, now: datetime.datetime) -> bool:
    from .services.base import handlers_at

    with transaction.atomic():
        claimed = Case.objects.filter(
            pk=case.pk,
            status=CaseStatus.NEW,
            organization_id=case.organization_id,
            accept_due=case.accept_due,
            acceptance_overdue_notified_at__isnull=True,
        ).update(acceptance_overdue_notified_at=now)
        if not claimed:
            return False
        notify(
            [case.owner, *handlers_at(case.organization)],
            case,
            NotificationKind.ACCEPTANCE_OVERDUE,
        )
    return True


def _remind_supervision_overdue(supervision: Supervision, now: datetime.datetime) -> bool:
    from .services.base import handlers_at

    with transaction.atomic():
        claimed = Supervision.objects.filter(
            pk=supervision.pk, responded_at__isnull=True, overdue_notified_at__isnull=True
        ).update(overdue_notified_at=now)
        if not claimed:
            return False
        case = supervision.case
        handler = case.assignee or case.owner
        handlers = [handler] if handler is not None else list(handlers_at(case.organization))
        notify([*handlers, supervision.supervised_by], case, NotificationKind.SUPERVISION_OVERDUE)
    return True


def sweep_case_deadlines(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> SweepResult:
    """Run the deadline sweep as of ``today`` (default: the local date). Safe to run
    again and from several workers at once: each change is claimed by one of them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    cutoff = overdue_cutoff(today)
    result = SweepResult()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).select_related(
        "category", "assignee", "owner"
    )

    for case in open_cases.filter(is_overdue=False, due_date__lt=cutoff).order_by("due_date", "pk"):
        result.overdue += _mark_overdue(case, now)

    if getattr(settings, "CASES_AUTO_ESCALATE_OVERDUE", True):
        escalatable = (
            open_cases.filter(
                is_overdue=True,
                status__in=AUTO_ESCALATE_STATUSES,
                category__auto_escalate=True,
                organization__depth__gt=1,
            )
            .select_related("organization")
            .order_by("due_date", "pk")
        )
        for case in escalatable:
            if auto_escalate_enabled(case):
                result.escalated += _auto_escalate(case, now)

    soon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    due_soon = open_cases.filter(
        is_overdue=False, due_soon=False, due_date__gte=cutoff, due_date__lte=soon
    ).order_by("due_date", "pk")
    for case in due_soon:
        result.due_soon += _mark_due_soon(case, now)

    waiting = Referral.objects.filter(
        status=ReferralStatus.WAITING, due_date__lt=cutoff
    ).select_related("case__assignee", "case__owner")
    for referral in waiting.order_by("due_date", "pk"):
        result.referrals_overdue += _mark_referral_overdue(referral)

    not_accepted = Case.objects.filter(
        status=CaseStatus.NEW, acceptance_overdue_notified_at__isnull=True, accept_due__lt=cutoff
    ).select_related("organization", "owner")
    for case in not_accepted.order_by("accept_due", "pk"):
        result.acceptance_overdue += _remind_acceptance_overdue(case, now)

    unanswered = Supervision.objects.filter(
        responded_at__isnull=True,
        overdue_notified_at__isnull=True,
        due_date__lt=cutoff,
        case__status__in=OPEN_STATUSES,
    ).select_related("case__organization", "case__assignee", "case__owner", "supervised_by")
    for supervision in unanswered.order_by("due_date", "pk"):
        result.supervisions_overdue += _remind_supervision_overdue(supervision, now)

    logger.info(
        "case sweep %s: %d due soon, %d overdue, %d escalated, %d referrals overdue, "
        "%d not accepted in time, %d supervisions unanswered",
        today,
        result.due_soon,
        result.overdue,
        result.escalated,
        result.referrals_overdue,
        result.acceptance_overdue,
        result.supervisions_overdue,
    )
    return result
