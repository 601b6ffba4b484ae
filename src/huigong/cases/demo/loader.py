"""Play the demo county's case stories (``case_data``) through the case services.

Each case is taken in with ``submit_case`` and then moved by the demo account named in
each step — accept, contact, refer, reply, resolve, rate, close, escalate, supervise,
answer, merge — so the permission checks, routing, deadlines, timeline events, change log
and notifications are the ones real use produces. Every call gets a back-dated ``now``: the receipt is
``story.age`` working days before today, each step ``step.day`` working days after the
receipt, at office hours that only move forward. At the end the deadline sweep runs for
today, which marks the cases that are due soon or overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from huigong.accounts.models import User
from huigong.cases import services
from huigong.cases.models import Case, CaseCategory
from huigong.cases.sweep import SweepResult, sweep_case_deadlines
from huigong.common.workdays import add_working_days, working_days_before
from huigong.orgs.models import Grid, Organization
from huigong.partners import services as partner_services
from huigong.partners.models import Department
from huigong.people.models import Person

from .stories import DEPARTMENT_MEMBERS, DEPARTMENTS, STORIES, WORKER, Step, Story

#: Minutes between two consecutive actions on the same case when they fall on one day.
_GAP = datetime.timedelta(minutes=35)


class CaseLoader:
    """Creates the departments and plays the stories. ``users`` maps demo usernames to
    users (``WORKER`` to the demo worker), ``homes`` them to the organization where they
    hold their role, ``orgs`` names to organizations."""

    def __init__(
        self,
        *,
        users: dict[str, User],
        homes: dict[str, Organization],
        orgs: dict[str, Organization],
        worker: User,
        today: datetime.date | None = None,
    ):
        self.users = {**users, WORKER: worker}
        self.homes = homes
        self.orgs = orgs
        self.worker = worker
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.categories = {c.code: c for c in CaseCategory.objects.all()}
        self.departments: dict[str, Department] = {}
        county = orgs["祁东县总工会"]
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
                actor=county_cadre,
                organization=county,
                name=spec.name,
                kind=spec.kind,
                response_days=spec.response_days,
                contact_name=spec.contact_name,
                contact_phone=spec.contact_phone,
                members=members,
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
        actor = self.users[step.by]
        action = step.action
        if action == "accept":
            assignee = self.users[step.assignee] if step.assignee else None
            return services.accept_case(actor=actor, case=case, assignee=assignee, now=now)
        if action == "refer":
            services.refer_case(
                actor=actor,
                case=case,
                department=self.departments[step.department],
                note=step.text,
                now=now,
            )
        elif action == "reply":
            referral = case.referrals.filter(replied_at__isnull=True).latest("sent_at")
            services.record_department_reply(
                actor=actor,
                referral=referral,
                reply_text=step.text,
                replied_by=step.replied_by,
                now=now,
            )
        elif action == "contact":
            services.log_contact(
                actor=actor,
                case=case,
                note=step.text,
                method=step.method,
                contact=step.contact,
                now=now,
            )
        elif action == "merge":
            into = next(c for c in self.cases if c.title == step.into)
            return services.merge_cases(actor=actor, case=case, into=into, note=step.text, now=now)
        elif action == "resolve":
            return services.resolve_case(
                actor=actor,
                case=case,
                outcome=step.outcome,
                result_text=step.text,
                amount_recovered=step.amount,
                workers_benefited=step.workers,
                now=now,
            )
        elif action == "rate":
            return services.rate_case(
                actor=actor, case=case, satisfaction=step.satisfaction, note=step.text, now=now
            )
        elif action == "close":
            return services.close_case(actor=actor, case=case, note=step.text, now=now)
        elif action == "escalate":
            return services.escalate_case(actor=actor, case=case, reason=step.text, now=now)
        elif action == "supervise":
            services.supervise_case(actor=actor, case=case, comment=step.text, now=now)
        elif action == "answer":
            supervision = case.supervisions.filter(responded_at__isnull=True).latest("created_at")
            services.answer_supervision(
                actor=actor, supervision=supervision, response=step.text, now=now
            )
        else:
            raise ValueError(f"unknown demo case step {action!r}")
        return Case.objects.get(pk=case.pk)

    def build_cases(self) -> SweepResult:
        """Play every story, in the order the cases came in (so that case numbers follow
        the receipt dates), then run the deadline sweep for today."""
        for story in sorted(STORIES, key=lambda s: (-s.age, s.time)):
            self.play(story)
        return sweep_case_deadlines(today=self.today)
