"""Statistics of registered workers (see ``huigong.kernel.indicators``)."""

from django.utils.translation import gettext_lazy as _

from huigong.kernel.indicators import IndicatorGroup, IndicatorKind
from huigong.orgs.indicators import ORGANIZATION

from .models import EmploymentForm, Person

people = IndicatorGroup(
    ORGANIZATION,
    permission="people.view_person",
    unit=_("人"),
    kind=IndicatorKind.STOCK,
    queryset=lambda: Person.objects.all(),
)
people.indicator(
    "people.registered",
    _("登记职工"),
    description=_("期末在本级及下级工会登记的职工人数"),
    order=30,
)
people.indicator(
    "people.new_form",
    _("新就业形态劳动者"),
    queryset=lambda: Person.objects.filter(employment_form=EmploymentForm.NEW_FORM),
    description=_("登记职工中用工形式为新就业形态的人数"),
    order=40,
)
people.indicator(
    "people.new_registrations",
    _("新登记职工"),
    kind=IndicatorKind.NEW,
    description=_("统计周期内新登记的职工人数"),
    order=50,
)
