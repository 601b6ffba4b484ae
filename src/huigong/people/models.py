"""Persons (workers, members, household members) and their protected personal data.

ID numbers and phone numbers are stored encrypted beside a keyed hash for exact lookup
and de-duplication, and keyed hashes of their last four characters for the "last 4
digits" search staff use on the phone. Only the birth *year* (for age statistics) and
the sex are kept in clear, both derived from the ID number: a full birth date beside the
last four characters would pin the number down (docs/security.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric

from huigong.common.crypto import (
    EncryptedDateField,
    EncryptedTextField,
    id_last4_hash,
    lookup_hash,
    mask_id_number,
    mask_phone,
    phone_last4_hash,
)
from huigong.common.models import not_negative
from huigong.common.text import clean_code, clean_phone, clean_text
from huigong.kernel.scope import ScopedQuerySetMixin
from huigong.orgs.models import Organization, employer_link, organization_link

from .validators import check_id_number


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class EmploymentForm(models.TextChoices):
    STANDARD = "standard", _("劳动合同用工")
    DISPATCHED = "dispatched", _("劳务派遣")
    FLEXIBLE = "flexible", _("灵活就业")
    NEW_FORM = "new_form", _("新就业形态")
    UNEMPLOYED = "unemployed", _("未就业")
    RETIRED = "retired", _("退休")


class NewFormType(models.TextChoices):
    RIDER = "rider", _("网约配送员(外卖骑手)")
    COURIER = "courier", _("快递员")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    TRUCK = "truck", _("货车司机")
    OTHER = "other", _("其他新就业形态")


@lru_cache(maxsize=16_384)
def name_pinyin(name: str) -> str:
    """Search key: initials then full pinyin, e.g. 肖华清 → "xhq xiaohuaqing". Cached:
    names repeat, and an import of a roster asks for many; the cache is kept small
    enough that a long import's memory does not grow with the names it has seen."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    full = "".join(lazy_pinyin(name)).lower()
    return f"{initials} {full}"


def birth_date_of(id_number: str) -> datetime.date | None:
    """The birth date written in a (validated) ID number, or None without one."""
    if not id_number:
        return None
    try:
        return ric.get_birth_date(id_number)
    except ValueError:  # stdnum's ValidationError is a ValueError
        return None


# The synthetic generator's names repeat more than real ones: a larger cache of its own.
_bulk_name_pinyin = lru_cache(maxsize=65536)(name_pinyin.__wrapped__)


class PersonQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_field = "organization__path"

    def with_id_number(self, raw: str):
        return self.filter(id_number_hash=lookup_hash(clean_code(raw)))

    def with_phone(self, raw: str):
        return self.filter(phone_hash=lookup_hash(clean_phone(raw)))


class Person(models.Model):
    """A worker known to the union: member or not, registered with one organization."""

    organization = organization_link(_("所属工会"), related_name="persons")
    #: The province-level root of ``organization`` (set on save), for sharding by province.
    province = organization_link(
        _("省级组织"), related_name="+", editable=False, help_text=_("所在组织树的根,供按省分库")
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, editable=False, db_index=True)
    id_number = EncryptedTextField(_("身份证号码"), blank=True, default="")
    id_number_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    id_last4_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, editable=False, db_index=True
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_last4_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    employer = employer_link(_("工作单位(已建会)"), related_name="employees")
    employer_name = models.CharField(_("工作单位"), max_length=200, blank=True)
    employer_credit_code = models.CharField(_("单位统一社会信用代码"), max_length=18, blank=True)
    employment_form = models.CharField(
        _("用工形式"),
        max_length=20,
        choices=EmploymentForm.choices,
        default=EmploymentForm.STANDARD,
    )
    new_form_type = models.CharField(
        _("新就业形态类别"), max_length=20, choices=NewFormType.choices, blank=True
    )
    is_member = models.BooleanField(_("工会会员"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("职工")
        ordering = ["-id"]
        permissions = [
            ("reveal_person", _("查看完整身份证号与手机号")),
            ("import_person", _("导入职工")),
            ("export_person", _("导出职工")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_form_type="") | models.Q(employment_form="new_form"),
                name="person_new_form_type_only_for_new_form",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.derive()
        self.province_id = Organization.objects.filter(pk=self.organization_id).provinces()[
            self.organization_id
        ]
        if kwargs.get("update_fields") is not None:
            derived = {
                "province",
                "name_pinyin",
                "id_number_hash",
                "id_last4_hash",
                "birth_year",
                "sex",
                "phone_hash",
                "phone_last4_hash",
            }
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Normalise the name, ID number and phone and fill what is derived from them
        (pinyin, keyed hashes, birth year, sex). ``save`` calls it; a bulk write (the
        import) calls it for each row before ``bulk_create``."""
        self.name = clean_text(self.name)
        self.name_pinyin = name_pinyin(self.name)
        self.id_number = clean_code(self.id_number)
        if self.id_number:
            check = check_id_number(self.id_number)
            self.id_number_hash = lookup_hash(check.number)
            self.id_last4_hash = id_last4_hash(check.number)
            self.birth_year = check.birth_date.year
            self.sex = check.sex
        else:
            self.id_number_hash = None
            self.id_last4_hash = ""
        self.phone = clean_phone(self.phone)
        self.phone_hash = lookup_hash(self.phone) if self.phone else ""
        self.phone_last4_hash = phone_last4_hash(self.phone) if self.phone else ""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def birth_date(self) -> datetime.date | None:
        """The full birth date, read from the (decrypted) ID number. Not stored, and shown
        only with the full number to a user who may reveal it."""
        return birth_date_of(self.id_number)

    @property
    def is_new_form_worker(self) -> bool:
        return self.employment_form == EmploymentForm.NEW_FORM

    @property
    def employer_display(self) -> str:
        """The employer as shown in lists: the unionised organization, or the free text."""
        return self.employer.name if self.employer_id else self.employer_name

    @classmethod
    def prepare_bulk(cls, persons: Iterable[Person], *, validated: bool = False) -> list[Person]:
        """Set on unsaved persons the derived fields that ``save()`` sets, for
        ``bulk_create`` (which bypasses ``save()``); the encrypted columns are encrypted by
        their field on insert. ``validated=True`` skips the full ID-number check (its area
        code lookup dominates the cost) for numbers the caller has already validated."""
        persons = list(persons)
        provinces = Organization.objects.filter(
            pk__in={person.organization_id for person in persons}
        ).provinces()
        prepared = []
        for person in persons:
            person.province_id = provinces[person.organization_id]
            person.name = clean_text(person.name)
            person.name_pinyin = _bulk_name_pinyin(person.name)
            person.id_number = clean_code(person.id_number)
            if person.id_number:
                if validated:
                    number = person.id_number
                    birth_year = int(number[6:10])
                    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
                else:
                    check = check_id_number(person.id_number)
                    number, birth_year, sex = check.number, check.birth_date.year, check.sex
                person.id_number_hash = lookup_hash(number)
                person.id_last4_hash = id_last4_hash(number)
                person.birth_year = birth_year
                person.sex = sex
            else:
                person.id_number_hash = None
                person.id_last4_hash = ""
            person.phone = clean_phone(person.phone)
            person.phone_hash = lookup_hash(person.phone) if person.phone else ""
            person.phone_last4_hash = phone_last4_hash(person.phone) if person.phone else ""
            prepared.append(person)
        return prepared


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    OTHER = "other", _("其他")


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    SERIOUS = "serious", _("大病")
    DISABLED = "disabled", _("残疾")


class HouseholdMemberQuerySet(ScopedQuerySetMixin, models.QuerySet):
    # A household member belongs to the organization of the person whose household it is.
    scope_path_field = "person__organization__path"


class HouseholdMember(models.Model):
    """A member of a person's household (for hardship files and assistance)."""

    person = models.ForeignKey(
        Person, verbose_name=_("职工"), on_delete=models.CASCADE, related_name="household"
    )
    relation = models.CharField(_("关系"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"), blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # Encrypted: beside the masked ID number a full birth date would pin the number down.
    birth_date = EncryptedDateField(_("出生日期"), blank=True, default=None)
    birth_year = models.PositiveSmallIntegerField(
        _("出生年份"), null=True, blank=True, editable=False
    )
    monthly_income = models.DecimalField(
        _("月收入(元)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    health = models.CharField(
        _("健康状况"), max_length=20, choices=HealthStatus.choices, default=HealthStatus.HEALTHY
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 5)]
    )
    school = models.CharField(_("就读学校"), max_length=100, blank=True)

    objects = HouseholdMemberQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = _("家庭成员")
        constraints = [
            not_negative("monthly_income", name="household_income_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.id_number = clean_code(self.id_number)
        if self.id_number:
            check = check_id_number(self.id_number)
            self.id_number_hash = lookup_hash(check.number)
            self.birth_date = check.birth_date
        else:
            self.id_number_hash = ""
        self.birth_year = self.birth_date.year if self.birth_date else None
        super().save(*args, **kwargs)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def audit_org_path(self) -> str:
        """Audit entries of a household member belong to the person's organization."""
        return self.person.organization.path
