"""Statistics of registered workers (see ``huigong.kernel.indicators``)."""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import Indicator, IndicatorKind, register
from huigong.orgs.indicators import ORGANIZATION

from .models import EmploymentForm, Person

register(
    Indicator(
        key="people.registered",
        label=_("登记职工"),
        unit=_("人"),
        kind=IndicatorKind.STOCK,
        section=ORGANIZATION,
        queryset=lambda: Person.objects.all(),
        permission="people.view_person",
        description=_("期末在本级及下级工会登记的职工人数"),
        order=30,
    )
)

register(
    Indicator(
        key="people.new_form",
        label=_("新就业形态劳动者"),
        unit=_("人"),
        kind=IndicatorKind.STOCK,
        section=ORGANIZATION,
        queryset=lambda: Person.objects.filter(employment_form=EmploymentForm.NEW_FORM),
        permission="people.view_person",
        description=_("登记职工中用工形式为新就业形态的人数"),
        order=40,
    )
)

register(
    Indicator(
        key="people.new_registrations",
        label=_("新登记职工"),
        unit=_("人"),
        kind=IndicatorKind.NEW,
        section=ORGANIZATION,
        queryset=lambda: Person.objects.all(),
        permission="people.view_person",
        description=_("统计周期内新登记的职工人数"),
        order=50,
    )
)
