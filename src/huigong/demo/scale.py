"""Synthetic counties for load tests and benchmarks, written with ``bulk_create``.

Creating nodes one by one through treebeard costs several queries per node, far too slow
for a province-sized tree. Here each county's subtree is inserted in bulk with the
materialized paths computed in Python exactly as treebeard computes them (``steplen``
characters per level from ``Organization.alphabet``, children numbered from 1, ``depth``
and ``numchild`` filled in), so treebeard keeps working on the result. Persons get the
same derived fields ``Person.save`` would give them (``Person.prepare_bulk``); their
encrypted columns are encrypted by the field on insert.

The generated counties hang under a synthetic province and city so they never mix with
real data, and each county is one transaction that also bumps the city's ``numchild``.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd

from django.db import reset_queries, transaction
from django.db.models import F

from huigong.orgs.models import GrassrootsCategory, Organization, OrgKind
from huigong.people.models import EmploymentForm, NewFormType, Person

from . import codes
from .data import PHONE_PREFIXES

SYNTHETIC_PROVINCE = "模拟省总工会(压力测试)"
SYNTHETIC_CITY = "模拟市总工会(压力测试)"

#: Area codes of real Hunan counties, cycled through for synthetic ID numbers.
SCALE_AREAS = ["430426", "430421", "430422", "430423", "430424", "430481", "430482", "431121"]
_FIRST_BIRTH = datetime.date(1960, 1, 1)
_BIRTH_DAYS = (datetime.date(2002, 12, 31) - _FIRST_BIRTH).days + 1
_DAY_STRIDE = 7919  # a prime not dividing _BIRTH_DAYS: spreads consecutive birth dates
assert gcd(_DAY_STRIDE, _BIRTH_DAYS) == 1
# Order codes 500-999 belong to synthetic persons (the demo county uses 000-499), so the
# two never produce the same ID number.
_SEQ_BASE, _SEQ_COUNT = 500, 500
#: How many distinct synthetic ID numbers exist.
CAPACITY = len(SCALE_AREAS) * _BIRTH_DAYS * _SEQ_COUNT

_NEW_FORM_TYPES = [NewFormType.RIDER, NewFormType.COURIER, NewFormType.RIDE_HAILING]
_CATEGORY_NAMES = {
    GrassrootsCategory.ENTERPRISE: "企业",
    GrassrootsCategory.RURAL_COMMUNITY: "村社区",
    GrassrootsCategory.PUBLIC: "事业",
}


@dataclass
class ScaleResult:
    counties: int = 0
    organizations: int = 0
    persons: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.organizations + self.persons

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def synthetic_id_number(index: int) -> str:
    """The ``index``-th synthetic ID number: a bijection from 0..CAPACITY-1 onto distinct,
    checksum-valid numbers whose sex digit alternates."""
    if not 0 <= index < CAPACITY:
        raise ValueError(f"synthetic ID numbers run out after {CAPACITY}")
    area = SCALE_AREAS[index % len(SCALE_AREAS)]
    j = index // len(SCALE_AREAS)
    block, offset = divmod(j, _BIRTH_DAYS)
    birth = _FIRST_BIRTH + datetime.timedelta(days=offset * _DAY_STRIDE % _BIRTH_DAYS)
    seq = _SEQ_BASE + (block + offset) % _SEQ_COUNT
    return codes.id_number(area, birth, seq)


def _step(n: int) -> str:
    """One path step, as treebeard writes it (``MP_Node._get_path``)."""
    key = Organization._int2str(n)
    if len(key) > Organization.steplen:
        limit = len(Organization.alphabet) ** Organization.steplen - 1
        raise OverflowError(f"a node cannot have more than {limit} children")
    return Organization.alphabet[0] * (Organization.steplen - len(key)) + key


def synthetic_city() -> Organization:
    """The synthetic city federation the generated counties hang under (created once)."""
    city = Organization.objects.filter(name=SYNTHETIC_CITY, kind=OrgKind.CITY).first()
    if city is not None:
        return city
    with transaction.atomic():
        province = Organization.objects.filter(
            name=SYNTHETIC_PROVINCE, kind=OrgKind.PROVINCE
        ).first() or Organization.objects.add_root(
            instance=Organization(name=SYNTHETIC_PROVINCE, kind=OrgKind.PROVINCE)
        )
        return Organization.objects.add_child(
            province, instance=Organization(name=SYNTHETIC_CITY, kind=OrgKind.CITY)
        )


def generate_counties(
    counties: int,
    *,
    townships: int = 25,
    units_per_township: int = 40,
    persons_per_unit: int = 20,
    seed: int = 2026,
    batch_size: int = 2000,
    progress: Callable[[ScaleResult], None] | None = None,
) -> ScaleResult:
    """Add ``counties`` synthetic counties, each with ``townships`` township federations
    of ``units_per_township`` grassroots unions with ``persons_per_unit`` persons.

    Run one generator at a time: the synthetic ID numbers continue from the number of
    synthetic persons present when the run starts."""
    city = synthetic_city()
    # Continue the numbering of earlier runs so ID numbers never repeat (synthetic data is
    # only ever added; delete it all or nothing).
    person_index = Person.objects.filter(organization__path__startswith=city.path).count()
    result = ScaleResult()
    started = time.perf_counter()
    for _ in range(counties):
        with transaction.atomic():
            # Lock the city row while its next child step is taken (and its numchild bumped).
            city = Organization.objects.select_for_update().get(pk=city.pk)
            last = (
                Organization.objects.filter(path__startswith=city.path, depth=city.depth + 1)
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            step = Organization._str2int(last[-Organization.steplen :]) + 1 if last else 1
            generator = _CountyGenerator(
                city,
                step,
                random.Random(f"{seed}-{step}"),
                townships=townships,
                units=units_per_township,
                persons=persons_per_unit,
                batch_size=batch_size,
                person_index=person_index,
            )
            orgs, persons = generator.run()
            Organization.objects.filter(pk=city.pk).update(numchild=F("numchild") + 1)
        # With DEBUG on, Django keeps every statement (with its parameters) of the
        # connection; the bulk inserts would make that log hundreds of megabytes.
        reset_queries()
        person_index += persons
        result.counties += 1
        result.organizations += orgs
        result.persons += persons
        result.seconds = time.perf_counter() - started
        if progress is not None:
            progress(result)
    result.seconds = time.perf_counter() - started
    return result


class _CountyGenerator:
    def __init__(
        self,
        city: Organization,
        step: int,
        rng: random.Random,
        *,
        townships: int,
        units: int,
        persons: int,
        batch_size: int,
        person_index: int,
    ):
        self.city, self.step, self.rng = city, step, rng
        self.townships, self.units, self.persons = townships, units, persons
        self.batch_size = batch_size
        self.person_index = person_index

    def _category(self, u: int) -> str:
        # Six in ten grassroots unions are enterprises, three village/community, one public.
        slot = u % 10
        if slot < 6:
            return GrassrootsCategory.ENTERPRISE
        if slot < 9:
            return GrassrootsCategory.RURAL_COMMUNITY
        return GrassrootsCategory.PUBLIC

    def run(self) -> tuple[int, int]:
        rng = self.rng
        depth = self.city.depth + 1
        county_path = self.city.path + _step(self.step)
        county_name = f"模拟{self.step}县"
        nodes = [
            Organization(
                path=county_path,
                depth=depth,
                numchild=self.townships,
                name=f"{county_name}总工会",
                kind=OrgKind.COUNTY,
            )
        ]
        for t in range(1, self.townships + 1):
            township_path = county_path + _step(t)
            nodes.append(
                Organization(
                    path=township_path,
                    depth=depth + 1,
                    numchild=self.units,
                    name=f"{county_name}{t}镇工会联合会",
                    short_name=f"{t}镇",
                    kind=OrgKind.TOWNSHIP,
                )
            )
            for u in range(1, self.units + 1):
                category = self._category(u)
                employees = rng.randint(8, 600)
                nodes.append(
                    Organization(
                        path=township_path + _step(u),
                        depth=depth + 2,
                        numchild=0,
                        name=f"{county_name}{t}镇{_CATEGORY_NAMES[category]}{u}号单位工会",
                        kind=OrgKind.GRASSROOTS,
                        category=category,
                        credit_code=(
                            codes.credit_code("91", SCALE_AREAS[0], rng)
                            if category == GrassrootsCategory.ENTERPRISE
                            else ""
                        ),
                        employee_count=employees,
                        member_count=int(employees * rng.uniform(0.6, 0.98)),
                    )
                )
        Organization.objects.bulk_create(nodes, batch_size=self.batch_size)
        units = {
            path: (pk, category)
            for path, pk, category in Organization.objects.filter(
                path__startswith=county_path, depth=depth + 2
            ).values_list("path", "id", "category")
        }
        persons = 0
        for t in range(1, self.townships + 1):
            township_path = county_path + _step(t)
            batch = []
            for u in range(1, self.units + 1):
                unit = units[township_path + _step(u)]
                batch.extend(self._person(unit) for _ in range(self.persons))
            Person.objects.bulk_create(
                Person.prepare_bulk(batch, validated=True), batch_size=self.batch_size
            )
            persons += len(batch)
        return len(nodes), persons

    def _person(self, unit) -> Person:
        rng = self.rng
        unit_id, category = unit
        index = self.person_index
        self.person_index += 1
        number = synthetic_id_number(index)
        sex = "M" if int(number[16]) % 2 else "F"
        fields = {
            "organization_id": unit_id,
            "name": codes.person_name(rng, sex),
            "id_number": number,
            "phone": PHONE_PREFIXES[index % len(PHONE_PREFIXES)]
            + f"{(index * 48271 + 12345) % 10**8:08d}",
            "is_member": rng.random() < 0.85,
        }
        if category == GrassrootsCategory.ENTERPRISE:
            dispatched = rng.random() < 0.1
            fields.update(
                employment_form=EmploymentForm.DISPATCHED
                if dispatched
                else EmploymentForm.STANDARD,
                employer_id=unit_id,
            )
        elif category == GrassrootsCategory.PUBLIC:
            fields.update(employment_form=EmploymentForm.STANDARD, employer_id=unit_id)
        else:
            roll = rng.random()
            if roll < 0.2:
                fields.update(
                    employment_form=EmploymentForm.NEW_FORM,
                    new_form_type=rng.choice(_NEW_FORM_TYPES),
                )
            elif roll < 0.8:
                fields.update(employment_form=EmploymentForm.FLEXIBLE)
            else:
                fields.update(employment_form=EmploymentForm.UNEMPLOYED)
        return Person(**fields)
