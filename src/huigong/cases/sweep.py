"""The deadline sweep of cases (registered as the sweep ``cases.deadlines``).

The sweep (Celery beat, or ``python -m huigong sweep_case_deadlines`` from cron) scans
open cases by their due date (a partial index) and, on the working-day calendar:

- marks cases whose due date has passed — a working day has gone by after it without
  the case being resolved — as *overdue*;
- escalates overdue cases that await acceptance or are in hand to the parent
  organization, when the category and ``settings.CASES_AUTO_ESCALATE_OVERDUE`` allow it;
  the escalated case gets fresh deadlines at the new level, so it climbs at most one
  level per missed deadline;
- marks cases due within ``DUE_SOON_WORKING_DAYS`` working days as *due soon*;
- marks referrals whose department has not replied in time as overdue;
- reminds the owner and the handlers of the organization, once per level, of a case
  still awaiting acceptance after its acceptance deadline (超时未受理);
- reminds the handler and the supervisor, once, of a supervision not answered in time
  (督办逾期未回复).

Each kind of change is a *pass* that works set by set, never row by row and never on all
late rows at once: it walks its rows in keyset order (due date, id) in chunks of
``CHUNK_SIZE``, and per chunk, in one transaction, selects the rows (on PostgreSQL
``FOR UPDATE SKIP LOCKED``), claims them with one ``UPDATE … WHERE id IN (…) AND <the
pass's condition>``, writes their timeline events with one insert and queues their
notifications with another. Memory holds one chunk; a catch-up over a hundred thousand
late rows costs a few queries per thousand. Two workers sweeping at once never act
twice on a row: on PostgreSQL a row locked by one is skipped by the other, and the
condition in the ``UPDATE`` is the compare-and-set (healthchecks' ``sendalerts``);
on SQLite the write lock taken when the chunk's transaction begins serialises them.

Escalation is claimed the same way (chunks of ``ESCALATION_CHUNK_SIZE``, one transaction
each) and done set by set too, by the escalation service's ``escalate_many``: the rule —
the transition, the parent, fresh deadlines from the category at the new level, change
log, event, the parent's handlers told — belongs to that service (``escalate_to_parent``
is the same code for one case), which writes a chunk's cases with one ``UPDATE`` and its
events, change-log entries and notifications with one insert each, after one query each
for the parents, their handlers and the owners. A chunk costs about a dozen statements
however many cases it holds (``bench/case_sweep.py`` prints them).

The handlers of each organization (for the acceptance and supervision reminders) are
asked once per sweep, for all the organizations of a chunk not asked yet in one query.

Notifications are not sent one by one: the kernel's ``send_daily_digests`` sends each user
one message a day listing everything queued for them.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from huigong.common.workdays import (
    add_working_days,
    overdue_cutoff,
    register_deadline_years,
)
from huigong.kernel.notifications import notify_many

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
#: Rows claimed, marked and notified per transaction.
CHUNK_SIZE = 1000
#: Cases escalated per transaction. A chunk costs a dozen statements however large it
#: is, and each chunk's select reads every overdue row left after the last one claimed,
#: so small chunks make a long catch-up quadratic. The rows stay locked until the chunk
#: commits (about a second for a thousand): a handler acting on one waits that long.
ESCALATION_CHUNK_SIZE = 1000
#: Organizations whose handlers one sweep remembers (for the acceptance reminders).
HANDLERS_CACHE_SIZE = 4096


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


class _LostClaim(Exception):
    """The chunk's ``UPDATE`` changed fewer rows than it selected: something changed
    them in between, and which ones is unknown. The chunk is rolled back and left to
    the next run."""


def _after(key: str, last: tuple) -> Q:
    """Rows after ``last`` (its key and id) in (key, id) order. The redundant ``key >=``
    lets the database range-scan the key's index instead of reading every late row."""
    value, pk = last
    return Q(**{f"{key}__gte": value}) & (Q(**{f"{key}__gt": value}) | Q(pk__gt=pk))


def _claim_in_chunks(
    rows: QuerySet,
    *,
    key: str,
    claim: dict,
    act: Callable[[list], None],
    size: int | None = None,
) -> int:
    """Claim ``rows`` chunk by chunk in (``key``, id) order — each chunk's rows selected
    (skipping those another worker holds locked) and updated with ``claim`` in one
    transaction, where ``act`` then writes their events and notifications — and return
    how many were claimed. ``rows`` is the pass's condition: the ``UPDATE`` repeats it, so
    a row that no longer meets it is not claimed."""
    size = size or CHUNK_SIZE
    claimed = 0
    last = None
    while True:
        page = rows if last is None else rows.filter(_after(key, last))
        try:
            with transaction.atomic():
                chunk = list(
                    page.select_for_update(skip_locked=True, of=("self",)).order_by(key, "pk")[
                        :size
                    ]
                )
                if not chunk:
                    return claimed
                last = (getattr(chunk[-1], key), chunk[-1].pk)
                ids = [row.pk for row in chunk]
                if rows.filter(pk__in=ids).update(**claim) != len(ids):
                    raise _LostClaim
                act(chunk)
        except _LostClaim:
            logger.warning("case sweep: a chunk of %s changed while claimed", rows.model)
            continue
        claimed += len(ids)


def _of(rows: Iterable, kind: str, *users: str) -> list:
    """``notify_many`` items: for each case, ``users`` (attribute names) hear ``kind``."""
    return [([getattr(case, name) for name in users], case, kind) for case in rows]


def _cases_with_people(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a mark needs of a case: its due date and whom to tell (the rest deferred)."""
    return cases.select_related("assignee", "owner").only(
        "due_date", "assignee__kind", "owner__kind"
    )


def _mark_overdue_cases(cases: QuerySet[Case], now: datetime.datetime) -> int:
    def act(chunk: list[Case]) -> None:
        events.case_overdue_event.bulk([{"case": case} for case in chunk], time=now)
        notify_many(_of(chunk, NotificationKind.OVERDUE, "assignee", "owner"))

    late = cases.filter(is_overdue=False, status__in=OPEN_STATUSES)
    return _claim_in_chunks(
        _cases_with_people(late),
        key="due_date",
        claim={
            "is_overdue": True,
            "due_soon": False,
            "overdue_marked_at": Coalesce(F("overdue_marked_at"), now),
        },
        act=act,
    )


def _mark_overdue(case: Case, now: datetime.datetime) -> bool:
    """Mark one case overdue if it still is as ``case`` was read (its due date)."""
    return bool(_mark_overdue_cases(Case.objects.filter(pk=case.pk, due_date=case.due_date), now))


def _escalate_cases(cases: QuerySet[Case], now: datetime.datetime) -> int:
    """Escalate overdue ``cases``, each one level. The claim (the overdue flag cleared
    at this level) and the escalation share the chunk's transaction."""
    from .services.escalation import escalate_many

    reason = _("逾期未办结,按规则自动上报上级工会")

    def act(chunk: list[Case]) -> None:
        for case in chunk:
            case.is_overdue = False  # as claimed
        escalate_many(chunk, actor=None, reason=reason, automatic=True, now=now)

    overdue = cases.filter(is_overdue=True, status__in=AUTO_ESCALATE_STATUSES)
    return _claim_in_chunks(
        # The owners are read per chunk by the service: a join here costs every row
        # left to claim, at each chunk.
        overdue.select_related("organization", "category"),
        key="due_date",
        claim={"is_overdue": False},
        act=act,
        size=ESCALATION_CHUNK_SIZE,
    )


def _auto_escalate(case: Case, now: datetime.datetime) -> bool:
    """Escalate one overdue case if it is still where and as ``case`` was read."""
    same = Case.objects.filter(pk=case.pk, organization_id=case.organization_id, status=case.status)
    return bool(_escalate_cases(same, now))


def _mark_due_soon_cases(cases: QuerySet[Case], now: datetime.datetime) -> int:
    def act(chunk: list[Case]) -> None:
        events.case_due_soon_event.bulk([{"case": case} for case in chunk], time=now)
        notify_many(_of(chunk, NotificationKind.DUE_SOON, "assignee", "owner"))

    soon = cases.filter(due_soon=False, is_overdue=False, status__in=OPEN_STATUSES)
    return _claim_in_chunks(
        _cases_with_people(soon), key="due_date", claim={"due_soon": True}, act=act
    )


def _mark_referrals_overdue(referrals: QuerySet[Referral]) -> int:
    def act(chunk: list[Referral]) -> None:
        cases = [referral.case for referral in chunk]
        notify_many(_of(cases, NotificationKind.REFERRAL_OVERDUE, "assignee", "owner"))

    waiting = referrals.filter(status=ReferralStatus.WAITING)
    return _claim_in_chunks(
        waiting.select_related("case__assignee", "case__owner").only(
            "due_date", "case__assignee__kind", "case__owner__kind"
        ),
        key="due_date",
        claim={"status": ReferralStatus.OVERDUE},
        act=act,
    )


class _Handlers:
    """The case handlers at each organization (``handlers_at``), asked once per
    organization in a sweep — the organizations of a chunk not asked yet in one query —
    remembering at most ``HANDLERS_CACHE_SIZE`` of them."""

    def __init__(self):
        self._known: dict[int, list] = {}

    def of(self, organizations: Iterable) -> dict[int, list]:
        """``organizations``' handlers by organization id."""
        from .services.base import handlers_at_many

        wanted = {org.pk: org for org in organizations}
        known = {pk: self._known[pk] for pk in wanted if pk in self._known}
        missing = [org for pk, org in wanted.items() if pk not in known]
        if missing:
            found = handlers_at_many(missing)
            if len(self._known) + len(found) > HANDLERS_CACHE_SIZE:
                self._known.clear()
            self._known.update(found)
            known.update(found)
        return known


def _remind_acceptance_overdue_cases(
    cases: QuerySet[Case], now: datetime.datetime, handlers: _Handlers
) -> int:
    def act(chunk: list[Case]) -> None:
        at = handlers.of(case.organization for case in chunk)
        notify_many(([case.owner, *at[case.organization_id]], case, kind) for case in chunk)

    kind = NotificationKind.ACCEPTANCE_OVERDUE
    new = cases.filter(status=CaseStatus.NEW, acceptance_overdue_notified_at__isnull=True)
    return _claim_in_chunks(
        new.select_related("owner", "organization").only(
            "accept_due", "owner__kind", "organization__path"
        ),
        key="accept_due",
        claim={"acceptance_overdue_notified_at": now},
        act=act,
    )


def _remind_acceptance_overdue(case: Case, now: datetime.datetime) -> bool:
    """Remind of one case not accepted in time, if it still is as ``case`` was read."""
    same = Case.objects.filter(
        pk=case.pk, organization_id=case.organization_id, accept_due=case.accept_due
    )
    return bool(_remind_acceptance_overdue_cases(same, now, _Handlers()))


def _remind_supervisions_overdue(
    supervisions: QuerySet[Supervision], now: datetime.datetime, handlers: _Handlers
) -> int:
    def act(chunk: list[Supervision]) -> None:
        # The organization's handlers hear of a case nobody holds.
        cases = [s.case for s in chunk]
        unheld = handlers.of(c.organization for c in cases if (c.assignee or c.owner) is None)

        def responsible(case: Case) -> list:
            handler = case.assignee or case.owner
            return [handler] if handler is not None else unheld[case.organization_id]

        notify_many(
            ([*responsible(s.case), s.supervised_by], s.case, NotificationKind.SUPERVISION_OVERDUE)
            for s in chunk
        )

    unanswered = supervisions.filter(responded_at__isnull=True, overdue_notified_at__isnull=True)
    return _claim_in_chunks(
        unanswered.select_related(
            "case__assignee", "case__owner", "case__organization", "supervised_by"
        ).only(
            "due_date",
            "case__assignee__kind",
            "case__owner__kind",
            "case__organization__path",
            "supervised_by__kind",
        ),
        key="due_date",
        claim={"overdue_notified_at": now},
        act=act,
    )


def _remind_supervision_overdue(supervision: Supervision, now: datetime.datetime) -> bool:
    """Remind of one supervision not answered in time, if it still is unanswered."""
    same = Supervision.objects.filter(pk=supervision.pk)
    return bool(_remind_supervisions_overdue(same, now, _Handlers()))


def sweep_case_deadlines(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> SweepResult:
    """Run the deadline sweep as of ``today`` (default: the local date). Safe to run
    again and from several workers at once: each change is claimed by one of them."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    cutoff = overdue_cutoff(today)
    result = SweepResult()
    handlers = _Handlers()

    def run(name: str, sweep_pass: Callable[..., int], *args) -> int:
        started = time.perf_counter()
        claimed = sweep_pass(*args)
        seconds = time.perf_counter() - started
        # Per pass, for whoever wants to know where a long catch-up spends its time.
        logger.debug(
            "case sweep %s: %s %d in %.3f s",
            today,
            name,
            claimed,
            seconds,
            extra={"sweep_pass": name, "claimed": claimed, "seconds": seconds},
        )
        return claimed

    late = Case.objects.filter(due_date__lt=cutoff)
    result.overdue = run("overdue", _mark_overdue_cases, late, now)
    if getattr(settings, "CASES_AUTO_ESCALATE_OVERDUE", True):
        escalatable = Case.objects.filter(category__auto_escalate=True, organization__depth__gt=1)
        result.escalated = run("escalated", _escalate_cases, escalatable, now)
    soon = Case.objects.filter(
        due_date__gte=cutoff, due_date__lte=add_working_days(today, DUE_SOON_WORKING_DAYS)
    )
    result.due_soon = run("due_soon", _mark_due_soon_cases, soon, now)
    referrals = Referral.objects.filter(due_date__lt=cutoff)
    result.referrals_overdue = run("referrals_overdue", _mark_referrals_overdue, referrals)
    not_accepted = Case.objects.filter(accept_due__lt=cutoff)
    result.acceptance_overdue = run(
        "acceptance_overdue", _remind_acceptance_overdue_cases, not_accepted, now, handlers
    )
    unanswered = Supervision.objects.filter(due_date__lt=cutoff, case__status__in=OPEN_STATUSES)
    result.supervisions_overdue = run(
        "supervisions_overdue", _remind_supervisions_overdue, unanswered, now, handlers
    )

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
