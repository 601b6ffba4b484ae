"""Load the demo county: 湖南省总工会 → 衡阳市总工会 → 祁东县总工会 and below.

Everything goes through the use cases real data goes through — ``orgs.services`` for the
tree and the grids, ``people.services`` for persons and households (normalisation,
validation, encryption and hashes of the protected fields, the change log) and
``accounts.services`` for roles, and each app's services for its part — so the demo shows
an audit trail and cannot hold data a user could not have entered. The tree and grids are
created by the system (``actor=None``), the persons by the county cadre ``county``; then
every installed app's demo loader (``kernel.registry.register_demo_loader``: the cases,
mediations and inspections) plays its stories as the demo accounts whose work they are.
The random generator is
seeded: two loads produce the same county, the same people and the same ID numbers; the
cases are the same too, dated relative to the day of the load.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from huigong.accounts.models import Role, User, UserKind
from huigong.accounts.services import assign_role
from huigong.kernel.registry import DemoContext, demo_loaders, seeds
from huigong.orgs.models import Grid, Organization, OrgKind
from huigong.orgs.services import assign_grid_officers, create_grid, create_organization
from huigong.people.models import EmploymentForm, HealthStatus, NewFormType, Person, Relation
from huigong.people.services import add_household_member, register_person

from . import codes
from .data import (
    COORDINATES,
    DEVELOPMENT_ZONE,
    GRIDS,
    HOME_AREA,
    NEIGHBOUR_AREAS,
    NEW_FORM_FEDERATION,
    SURNAMES,
    TOWNSHIPS,
    Township,
    Unit,
)

#: The one password of every demo account. It passes Django's password validators.
DEMO_PASSWORD = "Huigong@2026"
DEMO_SEED = 2026
COUNTY_NAME = "祁东县总工会"

#: The federations above the townships, top down (the last is the demo county): name,
#: short name, kind, division code, address.
_FEDERATIONS = [
    ("湖南省总工会", "湖南省", OrgKind.PROVINCE, "430000", "湖南省长沙市"),
    ("衡阳市总工会", "衡阳市", OrgKind.CITY, "430400", "湖南省衡阳市"),
    (COUNTY_NAME, "祁东县", OrgKind.COUNTY, HOME_AREA, "湖南省衡阳市祁东县洪桥街道"),
]
#: The county federation's contact: the demo county cadre.
_COUNTY_CONTACT = {"contact_name": "周建华", "contact_phone": "0734-6200000"}

#: The phone number of the demo worker, who signs in to the portal with it.
WORKER_PHONE = "13807340001"
#: The demo worker's username: random-looking like those ``accounts.services`` gives real
#: sign-ups, never the phone (usernames show in logs and lockout records in clear).
WORKER_USERNAME = "w2103f0d8954688"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str  # role code from huigong.accounts.roles, or "worker"
    organization: str  # organization name
    superuser: bool = False


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("admin", "系统管理员", "system_admin", "湖南省总工会", superuser=True),
    DemoAccount("county", "周建华", "federation_cadre", COUNTY_NAME),
    DemoAccount("huangtupu", "罗芳", "township_cadre", "黄土铺镇工会联合会"),
    DemoAccount("baidishi", "唐春梅", "township_cadre", "白地市镇工会联合会"),
    DemoAccount("station", "肖丽娟", "station_staff", "黄土铺镇工会联合会"),
    DemoAccount("grid", "邓志军", "grid_officer", "黄土铺镇工会联合会"),
    DemoAccount("mediator", "管国庆", "mediator", "白地市镇工会联合会"),
    DemoAccount("finance", "谭秀兰", "finance_officer", COUNTY_NAME),
    DemoAccount("auditor", "彭文斌", "auditor", COUNTY_NAME),
    DemoAccount("xinfa_hr", "李敏", "enterprise_hr", "祁东县新发食品有限公司工会"),
    DemoAccount("provider", "曾桂香", "service_provider", COUNTY_NAME),
    DemoAccount("partner", "何志明", "partner_department", COUNTY_NAME),
    DemoAccount(WORKER_USERNAME, "肖华清", "worker", "四马堂村工会"),
]


@dataclass
class DemoSummary:
    organizations: int
    persons: int
    household_members: int
    grids: int
    users: int
    #: What each app's demo loader made, by its label ("cases": 40 …).
    loaded: dict[str, int]


def demo_is_loaded() -> bool:
    """True when the demo county is in the database (loaded earlier)."""
    return Organization.objects.filter(
        name=COUNTY_NAME, kind=OrgKind.COUNTY, division_code=HOME_AREA
    ).exists()


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create the demo county with its unions, grids, people, one account per role and
    the cases of the last three months."""
    # The reference data every app registers (``seed_reference`` has usually added it
    # already): roles, the holiday table deadlines are counted on, case categories …
    for seed in seeds():
        seed.run()
    builder = _DemoBuilder(random.Random(DEMO_SEED))
    builder.build_tree()
    builder.build_staff_accounts()
    builder.build_grids()
    builder.build_persons()
    builder.build_worker_account()
    loaded = builder.run_app_loaders()
    return DemoSummary(
        organizations=len(builder.orgs),
        persons=builder.person_count,
        household_members=builder.household_count,
        grids=builder.grid_count,
        users=len(DEMO_ACCOUNTS),
        loaded=loaded,
    )


def demo_account_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, organization) of the demo accounts present in the
    database, for printing after a load."""
    present = set(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    role_names = dict(Role.objects.values_list("code", "name"))
    rows = []
    for account in DEMO_ACCOUNTS:
        if account.username not in present:
            continue
        if account.role == "worker":
            role = f"职工门户(手机号 {WORKER_PHONE} 登录)"
        else:
            role = role_names.get(account.role, account.role)
            if account.superuser:
                role += "(超级用户)"
        rows.append((account.username, DEMO_PASSWORD, role, account.organization))
    return rows


class _DemoBuilder:
    """Builds the demo data step by step; ``orgs`` maps names to created organizations."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.orgs: dict[str, Organization] = {}
        self.units: list[tuple[Unit, Organization, Township]] = []
        self.id_numbers: set[str] = set()
        self.phones: set[str] = {WORKER_PHONE}
        self.person_count = 0
        self.household_count = 0
        self.grid_count = 0
        self.users: dict[str, User] = {}
        self.password_hash: str | None = None

    # ---- organizations -------------------------------------------------------------

    def _add(self, parent: Organization | None, **fields) -> Organization:
        node = create_organization(actor=None, parent=parent, **fields)
        self.orgs[node.name] = node
        return node

    def build_tree(self) -> None:
        rng = self.rng
        parent = None
        for name, short_name, kind, division_code, address in _FEDERATIONS:
            parent = self._add(
                parent,
                name=name,
                short_name=short_name,
                kind=kind,
                division_code=division_code,
                address=address,
                **(_COUNTY_CONTACT if name == COUNTY_NAME else {}),
            )
        county = parent
        parents = [(t, OrgKind.TOWNSHIP) for t in TOWNSHIPS]
        parents += [(DEVELOPMENT_ZONE, OrgKind.REGIONAL), (NEW_FORM_FEDERATION, OrgKind.INDUSTRY)]
        for township, kind in parents:
            federation = self._add(
                county,
                name=township.union_name,
                short_name=township.name,
                kind=kind,
                division_code=township.division_code,
                address=f"湖南省衡阳市祁东县{township.name}",
                contact_name="罗芳" if township.name == "黄土铺镇" else "",
                founded_on=datetime.date(2015, 6, 1) + datetime.timedelta(days=rng.randrange(400)),
            )
            if township.name in COORDINATES:
                latitude, longitude = COORDINATES[township.name]
                Organization.objects.filter(pk=federation.pk).update(
                    latitude=Decimal(latitude), longitude=Decimal(longitude)
                )
            for unit in township.units:
                members = round(unit.employees * rng.uniform(0.72, 0.98))
                node = self._add(
                    federation,
                    name=unit.name,
                    short_name=unit.village or "",
                    kind=OrgKind.GRASSROOTS,
                    category=unit.category,
                    credit_code=(
                        codes.credit_code(unit.credit_prefix, HOME_AREA, rng)
                        if unit.credit_prefix
                        else ""
                    ),
                    employee_count=unit.employees,
                    member_count=members,
                    founded_on=datetime.date(2008, 1, 1)
                    + datetime.timedelta(days=rng.randrange(12 * 365)),
                    address=f"湖南省衡阳市祁东县{_place(township)}{unit.village}",
                )
                self.units.append((unit, node, township))

    # ---- grids ---------------------------------------------------------------------

    def _grid(self, org: Organization, name: str, level: str, parent: Grid | None) -> Grid:
        self.grid_count += 1
        return create_grid(actor=None, organization=org, name=name, level=level, parent=parent)

    def build_grids(self) -> None:
        """Areas, grids and micro-grids; the demo grid officer covers 黄土铺镇's."""
        officer = self.users["grid"]
        for township_name, areas in GRIDS.items():
            org = self.orgs[f"{township_name}工会联合会"]
            for area_name, grids in areas:
                area = self._grid(org, area_name, Grid.Level.AREA, None)
                for grid_name, micros in grids:
                    grid = self._grid(org, grid_name, Grid.Level.GRID, area)
                    cells = [grid] + [
                        self._grid(org, name, Grid.Level.MICRO, grid) for name in micros
                    ]
                    if township_name == "黄土铺镇":
                        for cell in cells:
                            assign_grid_officers(actor=None, grid=cell, officers=[officer])

    # ---- persons -------------------------------------------------------------------

    def _unique_id_number(self, area: str, birth: datetime.date, sex: str) -> str:
        while True:
            # Order codes 000-499 are the demo's; the scale generator uses 500-999.
            seq = self.rng.randrange(250) * 2 + (1 if sex == "M" else 0)
            number = codes.id_number(area, birth, seq)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def _unique_phone(self) -> str:
        while True:
            number = codes.phone(self.rng)
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _employment(self, unit: Unit, node: Organization, township: Township, birth):
        """(employment_form, new_form_type, employer org, employer name, credit code)."""
        rng = self.rng
        # A unionised employer is a link to its organization; free text is for the others.
        own = (node, "", "")
        if unit.industry in {"rider", "courier", "ride_hailing"}:
            employer = {
                "rider": "网约配送平台(众包)",
                "courier": "快递网点(加盟)",
                "ride_hailing": "网约车平台",
            }[unit.industry]
            return EmploymentForm.NEW_FORM, unit.industry, None, employer, ""
        if unit.category == "public":
            if birth.year < 1965 and rng.random() < 0.5:
                return EmploymentForm.RETIRED, "", None, "", ""
            return EmploymentForm.STANDARD, "", *own
        if unit.category == "enterprise":
            if unit.industry == "farm":
                form = rng.choice([EmploymentForm.STANDARD, EmploymentForm.FLEXIBLE])
            elif unit.industry == "construction":
                form = rng.choice([EmploymentForm.STANDARD, EmploymentForm.DISPATCHED])
            else:
                form = EmploymentForm.DISPATCHED if rng.random() < 0.12 else EmploymentForm.STANDARD
            return form, "", *own
        # Village and community unions: farmers, migrant and gig workers, the retired.
        roll = rng.random()
        if birth.year < 1964 and roll < 0.4:
            return EmploymentForm.RETIRED, "", None, "", ""
        if roll < 0.15:
            kind = rng.choice([NewFormType.RIDER, NewFormType.COURIER, NewFormType.TRUCK])
            return EmploymentForm.NEW_FORM, kind, None, "", ""
        if roll < 0.45:
            local = [
                (u, n)
                for u, n, t in self.units
                if t is township and u.category == "enterprise" and u.credit_prefix == "91"
            ]
            if local:
                _, other = rng.choice(local)
                return EmploymentForm.STANDARD, "", other, "", ""
            return EmploymentForm.FLEXIBLE, "", None, "外出务工", ""
        if roll < 0.85:
            return EmploymentForm.FLEXIBLE, "", None, rng.choice(["外出务工", "个体经营", ""]), ""
        return EmploymentForm.UNEMPLOYED, "", None, "", ""

    def _person(self, unit: Unit, node: Organization, township: Township, **fixed) -> Person:
        rng = self.rng
        sex = fixed.pop("sex", rng.choice("MF"))
        birth = fixed.pop("birth", None) or codes.random_birth(rng, 1960, 2002)
        area = fixed.pop("area", None) or (
            HOME_AREA if rng.random() < 0.8 else rng.choice(NEIGHBOUR_AREAS)
        )
        form, new_form_type, employer, employer_name, employer_code = self._employment(
            unit, node, township, birth
        )
        place = _place(township)
        address = f"湖南省衡阳市祁东县{place}{unit.village}"
        if unit.village.endswith("村"):
            address += f"{rng.randint(1, 12)}组"
        values = {
            "organization": node,
            "name": codes.person_name(rng, sex),
            "id_number": self._unique_id_number(area, birth, sex),
            "phone": self._unique_phone(),
            "address": address,
            "employment_form": form,
            "new_form_type": new_form_type,
            "employer": employer,
            "employer_name": employer_name,
            "employer_credit_code": employer_code,
            "is_member": rng.random() < (0.7 if unit.category == "rural_community" else 0.92),
        }
        values.update(fixed)
        person = register_person(actor=self.users["county"], **values).person
        self.person_count += 1
        return person

    def _household(self, person: Person, shape: list[str]) -> None:
        rng = self.rng
        today = datetime.date.today()
        surname = person.name[:2] if person.name.startswith("欧阳") else person.name[0]
        for relation in shape:
            if relation == Relation.SPOUSE:
                sex = "F" if person.sex == "M" else "M"
                birth = person.birth_date + datetime.timedelta(days=rng.randint(-1100, 1100))
                name = codes.person_name(rng, sex)
            elif relation == Relation.CHILD:
                sex = rng.choice("MF")
                birth = person.birth_date + datetime.timedelta(days=rng.randint(22, 32) * 365)
                # Children take the father's surname; a mother's spouse is not on file.
                father = surname if person.sex == "M" else rng.choice(SURNAMES)
                name = father + codes.given_name(rng, sex)
            else:
                sex = rng.choice("MF")
                birth = person.birth_date - datetime.timedelta(days=rng.randint(24, 32) * 365)
                if sex == "M" and person.sex == "M":
                    name = surname + codes.given_name(rng, sex)
                else:
                    name = codes.person_name(rng, sex)
            if birth >= today:
                continue
            age = (today - birth).days // 365
            area = person.id_number[:6]
            health = rng.choices(
                [
                    HealthStatus.HEALTHY,
                    HealthStatus.CHRONIC,
                    HealthStatus.SERIOUS,
                    HealthStatus.DISABLED,
                ],
                weights=[70, 18, 6, 6],
            )[0]
            add_household_member(
                actor=self.users["county"],
                person=person,
                relation=relation,
                name=name,
                id_number=self._unique_id_number(area, birth, sex),
                monthly_income=(
                    Decimal(rng.randrange(0, 4200, 100)) if 18 <= age < 65 else Decimal("0")
                ),
                health=health,
                disability_grade=rng.randint(1, 4) if health == HealthStatus.DISABLED else None,
                school=(
                    rng.choice(["祁东县第一中学", "祁东县育贤中学", "镇中心小学"])
                    if 6 <= age <= 18
                    else ""
                ),
            )
            self.household_count += 1

    def build_persons(self) -> None:
        rng = self.rng
        shapes = [
            [Relation.SPOUSE, Relation.CHILD],
            [Relation.SPOUSE, Relation.CHILD, Relation.PARENT],
            [Relation.CHILD],
            [Relation.PARENT],
        ]
        for unit, node, township in self.units:
            for _ in range(unit.persons):
                person = self._person(unit, node, township)
                # Village families are on file more often (hardship work starts there).
                share = 0.35 if unit.category == "rural_community" else 0.1
                if rng.random() < share:
                    self._household(person, rng.choice(shapes))
        # The worker from the 四马堂村 story: a construction worker born before the county
        # code existed, registered under 430426 all the same, with a portal account.
        unit, node, township = next(u for u in self.units if u[0].name == "四马堂村工会")
        worker = self._person(
            unit,
            node,
            township,
            sex="M",
            birth=datetime.date(1972, 3, 18),
            area=HOME_AREA,
            name="肖华清",
            phone=WORKER_PHONE,
            employment_form=EmploymentForm.FLEXIBLE,
            new_form_type="",
            employer=None,
            employer_name="外出务工(建筑)",
            employer_credit_code="",
            is_member=True,
        )
        self._household(worker, [Relation.SPOUSE, Relation.CHILD, Relation.PARENT])
        self.worker_person = worker

    # ---- accounts ------------------------------------------------------------------

    def _user(self, account: DemoAccount, **fields) -> User:
        user = User(username=account.username, name=account.name, **fields)
        validate_password(DEMO_PASSWORD, user)
        if self.password_hash is None:
            # Hashing costs a good part of a second; the password is public anyway, so
            # every demo account shares one hash.
            self.password_hash = make_password(DEMO_PASSWORD)
        user.password = self.password_hash
        user.save()
        self.users[account.username] = user
        return user

    def build_staff_accounts(self) -> None:
        roles = {r.code: r for r in Role.objects.all()}
        for account in DEMO_ACCOUNTS:
            if account.role == "worker":
                continue
            user = self._user(account, is_superuser=account.superuser, is_staff=account.superuser)
            assign_role(
                actor=None,
                user=user,
                role=roles[account.role],
                organization=self.orgs[account.organization],
            )

    def build_worker_account(self) -> None:
        account = next(a for a in DEMO_ACCOUNTS if a.role == "worker")
        self._user(account, kind=UserKind.WORKER, phone=WORKER_PHONE, person=self.worker_person)

    # ---- the apps' parts -------------------------------------------------------------

    def run_app_loaders(self) -> dict[str, int]:
        """Every installed app's part of the demo (cases, mediations, inspections …), in
        their order; returns what each made, by label."""
        context = DemoContext(
            users=self.users,
            homes={a.username: self.orgs[a.organization] for a in DEMO_ACCOUNTS},
            orgs=self.orgs,
            worker=self.users[WORKER_USERNAME],
            today=timezone.localdate(),
        )
        return {loader.label or loader.name: loader.run(context) for loader in demo_loaders()}


def _place(township: Township) -> str:
    """The part of an address after 祁东县 for a township-level unit."""
    if township is NEW_FORM_FEDERATION:
        return "洪桥街道"
    return township.name
