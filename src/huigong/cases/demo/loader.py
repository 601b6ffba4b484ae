"""Play the demo county's case stories (``stories``, written in ``stories.toml``)
through the case services.

Each case is taken in with ``submit_case`` and then moved by the demo account named in
each step — accept, contact, refer, reply, resolve, rate, close, escalate, supervise,
answer, merge — so the permission checks, routing, deadlines, timeline events, change log
and notifications are the ones real use produces. Every call gets a back-dated ``now``:
the receipt is ``story.age`` working days before today, each step ``step.day`` working
days after the receipt, at office hours that only move forward. At the end the deadline
sweep runs for today, which marks the cases that are due soon or overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import asdict

from django.utils import timezone

from huigong.accounts.models import User
from huigong.cases import services
from huigong.cases.models import Case, CaseCategory
from huigong.cases.sweep import SweepResult, sweep_case_deadlines
from huigong.common.workdays import add_working_days, working_days_before
from huigong.kernel.registry import DemoContext
from huigong.orgs.models import Grid, Organization
from huigong.partners import services as partner_services
from huigong.partners.models import Department
from huigong.people.models import Person

from .stories import DEPARTMENT_MEMBERS, DEPARTMENTS, STORIES, WORKER, Step, Story

#: Minutes between two consecutive actions on the same case when they fall on one day.
_GAP = datetime.timedelta(minutes=35)


def _the_case(case: Case) -> dict:
    return {"case": case}


def _open_referral(case: Case) -> dict:
    return {"referral": case.referrals.filter(replied_at__isnull=True).latest("sent_at")}


def _open_supervision(case: Case) -> dict:
    return {"supervision": case.supervisions.filter(responded_at__isnull=True).latest("created_at")}


#: A step's action → the case service it calls and what that service acts on.
_SERVICES: dict[str, tuple[Callable[..., object], Callable[[Case], dict]]] = {
    "accept": (services.accept_case, _the_case),
    "refer": (services.refer_case, _the_case),
    "reply": (services.record_department_reply, _open_referral),
    "contact": (services.log_contact, _the_case),
    "merge": (services.merge_cases, _the_case),
    "resolve": (services.resolve_case, _the_case),
    "rate": (services.rate_case, _the_case),
    "close": (services.close_case, _the_case),
    "escalate": (services.escalate_case, _the_case),
    "supervise": (services.supervise_case, _the_case),
    "answer": (services.answer_supervision, _open_supervision),
}


class CaseLoader:
    """Creates the departments and plays the stories into the demo built so far
    (``context``): its users by demo username (``WORKER`` for the demo worker), the
    organization where each holds the role (``homes``), the organizations by name."""

    def __init__(self, context: DemoContext):
        self.users: dict[str, User] = {**context.users, WORKER: context.worker}
        self.homes: dict[str, Organization] = context.homes
        self.orgs: dict[str, Organization] = context.orgs
        self.worker: User = context.worker
        self.today = context.today
        self.tz = timezone.get_current_timezone()
        self.categories = {c.code: c for c in CaseCategory.objects.all()}
        self.departments: dict[str, Department] = {}
        county = self.orgs["祁东县总工会"]
        self.grids = {
            g.name: g for g in Grid.objects.filter(organization__path__startswith=county.path)
        }
        self._persons: dict[str, Iterator[Person]] = {}
        self.cases: list[Case] = []

    # ---- departments ---------------------------------------------------------------------

    def build_departments(self) -> None:
        """The county's partner departments, entered by the county cadre through the
        department service; the labour inspection brigade's own account (``partner``)
        is its member and answers referrals on the workbench."""
        county_cadre = self.users["county"]
        county = self.orgs["祁东县总工会"]
        for spec in DEPARTMENTS:
            members = [
                self.users[name]
                for name in DEPARTMENT_MEMBERS.get(spec.name, [])
                if name in self.users
            ]
            self.departments[spec.name] = partner_services.create_department(
                actor=county_cadre, organization=county, members=members, **asdict(spec)
            )

    # ---- cases ---------------------------------------------------------------------------

    def _next_persons(self, unit: str, count: int) -> list[Person]:
        """The next ``count`` registered workers of ``unit`` not used by an earlier story
        (the demo worker is never picked here)."""
        if unit not in self._persons:
            self._persons[unit] = iter(
                Person.objects.filter(organization=self.orgs[unit])
                .exclude(pk=self.worker.person_id)
                .order_by("pk")
            )
        persons = [p for _, p in zip(range(count), self._persons[unit], strict=False)]
        if len(persons) < count:
            raise ValueError(f"{unit} has too few workers for the demo cases")
        return persons

    def _at(self, day: datetime.date, clock: str) -> datetime.datetime:
        hour, minute = map(int, clock.split(":"))
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def play(self, story: Story) -> Case:
        if any(step.day >= story.age for step in story.steps):
            raise ValueError(f"a step of “{story.title}” would be dated today or later")
        received_day = working_days_before(self.today, story.age)
        received = self._at(received_day, story.time)
        actor = self.users[story.by]
        values = {
            "actor": actor,
            "kind": story.kind,
            "category": self.categories[story.category],
            "title": story.title,
            "description": story.description,
            "complexity": story.complexity,
            "urgency": story.urgency,
            "now": received,
        }
        if story.by != WORKER:
            applicants = [self.worker.person] if story.with_worker else []
            if story.persons:
                applicants += self._next_persons(story.unit, story.persons)
            values.update(
                organization=self.orgs[story.at] if story.at else self.homes[story.by],
                channel=story.channel,
                applicants=applicants,
                grid=self.grids[story.grid] if story.grid else None,
                employer=self.orgs[story.employer] if story.employer else None,
                employer_name=story.employer_name,
                amount_claimed=story.amount,
            )
        case = services.submit_case(**values)
        moment = received
        for step in story.steps:
            moment = max(
                self._at(add_working_days(received_day, step.day), "09:00") + (step.day % 7) * _GAP,
                moment + _GAP,
            )
            case = self._step(case, step, moment)
        self.cases.append(case)
        return case

    def _step(self, case: Case, step: Step, now: datetime.datetime) -> Case:
        if step.action not in _SERVICES:
            raise ValueError(f"unknown demo case step {step.action!r}")
        service, target = _SERVICES[step.action]
        keywords = dict(step.keywords)
        # The stories name users, departments and cases; the services take the objects.
        if "assignee" in keywords:
            keywords["assignee"] = self.users[keywords["assignee"]]
        if "department" in keywords:
            keywords["department"] = self.departments[keywords["department"]]
        if "into" in keywords:
            keywords["into"] = next(c for c in self.cases if c.title == keywords["into"])
        result = service(actor=self.users[step.by], now=now, **target(case), **keywords)
        # A step on a referral or a supervision changes the case too: read it again.
        return result if isinstance(result, Case) else Case.objects.get(pk=case.pk)

    def build_cases(self) -> SweepResult:
        """Play every story, in the order the cases came in (so that case numbers follow
        the receipt dates), then run the deadline sweep for today."""
        for story in sorted(STORIES, key=lambda s: (-s.age, s.time)):
            self.play(story)
        return sweep_case_deadlines(today=self.today)
