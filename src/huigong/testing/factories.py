"""factory-boy factories for the core models. Tests pass the data that matters to them."""

from __future__ import annotations

import datetime
import itertools

import factory
from stdnum.cn import ric

from huigong.accounts.models import Role, RoleAssignment, User
from huigong.orgs.models import Organization
from huigong.people.models import Person

_seq = itertools.count(1)


def make_id_number(
    area: str = "430426",
    birth: datetime.date | None = None,
    seq: int | None = None,
    sex: str | None = None,
) -> str:
    """A checksum-valid 18-digit ID number (check digit from ``stdnum.cn.ric``)."""
    birth = birth or datetime.date(1975, 1, 1) + datetime.timedelta(days=next(_seq) * 37 % 9000)
    n = seq if seq is not None else next(_seq) % 1000
    if sex == "M" and n % 2 == 0:
        n += 1
    if sex == "F" and n % 2 == 1:
        n = (n + 1) % 1000
    body = f"{area}{birth:%Y%m%d}{n:03d}"
    return body + ric.calc_check_digit(body + "0")


class OrganizationFactory:
    """Tree nodes must be created through treebeard, so this is a thin helper."""

    @staticmethod
    def root(**fields) -> Organization:
        return Organization.objects.add_root(instance=Organization(**fields))

    @staticmethod
    def child(parent: Organization, **fields) -> Organization:
        parent.refresh_from_db()
        return Organization.objects.add_child(parent, instance=Organization(**fields))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Huigong-test-2026")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Iterator(["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨军", "赵敏"])
    id_number = factory.LazyFunction(make_id_number)


def give_role(user: User, role_code: str, organization: Organization) -> User:
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role_code), organization=organization
    )
    return user
