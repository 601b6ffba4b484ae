"""Cases of the demo county: the partner departments at 祁东县总工会 and about fifty
demands, help requests and rights cases of the last three months, each with the steps
its handlers took.

The stories are data, in ``stories.toml`` beside this module (its header says what a
story and a step hold); ``STORIES`` reads them into ``Story`` and ``Step``. A story's
dates are counted in working days: ``age`` is how many working days before today the case
came in, a step's ``day`` how many working days after that it happened (always fewer than
``age``, so nothing is dated today or later). The loader (``huigong.cases.demo.loader``)
plays the stories through the case services.

A few stories use facts reported from 祁东县 (肖华清 and twelve fellow villagers owed
115,000 yuan by a vanished contractor; a joint inspection after which 2,254 labour
contracts were signed; pig-farming classes in 流泉村); the wording and everything else is
made up.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from huigong.cases.models import Complexity, Urgency
from huigong.partners.models import DepartmentKind

#: Stands for the demo worker 肖华清 (his username is built from his phone number).
WORKER = "worker"


@dataclass(frozen=True)
class DemoDepartment:
    """A partner department; its fields are ``create_department``'s keywords."""

    name: str
    kind: str
    response_days: int
    contact_name: str
    contact_phone: str


#: Partner departments, registered at the county federation: every township below it
#: may refer cases to them (``Department.objects.usable_at``).
DEPARTMENTS: list[DemoDepartment] = [
    DemoDepartment(
        "县人社局劳动保障监察大队",
        DepartmentKind.LABOUR_INSPECTION,
        5,
        "何志明",
        "0734-6212345",
    ),
    DemoDepartment("县司法局", DepartmentKind.JUSTICE, 5, "邹建平", "0734-6223456"),
    DemoDepartment("县人民法院", DepartmentKind.COURT, 10, "许文华", "0734-6234567"),
    DemoDepartment("县民政局", DepartmentKind.CIVIL_AFFAIRS, 5, "贺秀英", "0734-6245678"),
    DemoDepartment("县住建局", DepartmentKind.HOUSING, 5, "龙德林", "0734-6256789"),
    DemoDepartment("县公安局", DepartmentKind.POLICE, 3, "段志强", "0734-6267890"),
]

#: Department → the demo accounts that answer its referrals on the workbench.
DEPARTMENT_MEMBERS: dict[str, list[str]] = {"县人社局劳动保障监察大队": ["partner"]}


@dataclass(frozen=True)
class Step:
    """One action on a case: ``action`` names the case service (see the loader), ``by``
    the demo account taking it; ``keywords`` are the service's own keywords, with users,
    departments and cases named (``assignee``, ``department``, ``into``)."""

    action: str
    day: int
    by: str
    keywords: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """A case as it came in (who took it, where, through which channel, about whom) and
    the steps taken on it since."""

    by: str  # the demo account taking it in, or WORKER on the portal
    channel: str
    category: str  # CaseCategory code
    kind: str
    title: str
    description: str
    age: int  # working days between receipt and today
    at: str = ""  # receiving organization; default: where ``by`` holds the role
    unit: str = ""  # the grassroots union whose registered workers are the applicants
    persons: int = 1
    with_worker: bool = False  # 肖华清 is the first applicant
    employer: str = ""  # employer as a demo organization (its union)
    employer_name: str = ""  # employer as free text
    amount: str | None = None
    complexity: str = Complexity.ORDINARY
    urgency: str = Urgency.NORMAL
    grid: str = ""
    time: str = "09:30"
    steps: tuple[Step, ...] = ()


#: Where the stories are written down.
STORIES_FILE = Path(__file__).with_name("stories.toml")


def load_stories(path: Path = STORIES_FILE) -> list[Story]:
    """The stories of ``path``, in the file's order; an unknown key is an error."""
    with path.open("rb") as f:
        tables = tomllib.load(f)["story"]
    return [
        Story(
            **{key: value for key, value in table.items() if key != "steps"},
            steps=tuple(
                Step(step.pop("action"), step.pop("day"), step.pop("by"), step)
                for step in table.get("steps", [])
            ),
        )
        for table in tables
    ]


STORIES: list[Story] = load_stories()


def expected_recovered() -> Decimal:
    """The amount recovered over all demo cases: each case keeps the amount of its last
    resolution."""
    total = Decimal("0")
    for story in STORIES:
        resolutions = [s for s in story.steps if s.action == "resolve"]
        if resolutions and resolutions[-1].keywords.get("amount_recovered"):
            total += Decimal(resolutions[-1].keywords["amount_recovered"])
    return total
