"""Filters of the case lists and the staff queues (待我受理, 我的, 本组织, 即将到期, 已逾期,
被督办, 转办待复), all applied on top of ``Case.objects.visible_to(user)``.

A queue is a condition on the case rows (plus who is asking), so each one is a single
indexed query whatever the page shows; the workbench tabs, the export and the API
``?queue=`` all use ``apply_queue``.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.accounts.models import RoleAssignment
from huigong.common.workdays import add_working_days
from huigong.people.filters import ListFilterSet, choice_filter, search_filter, subtree_filter

from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseCategory,
    CaseKind,
    CaseStatus,
    Channel,
    Urgency,
)

#: Days ahead (working days) that count as "due soon".
DUE_SOON_DAYS = 2


class Queue(models.TextChoices):
    AWAITING = "awaiting", _("待我受理")
    MINE = "mine", pgettext_lazy("case queue", "我的")
    ORGANIZATION = "organization", _("本组织")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    SUPERVISED = "supervised", _("被督办")
    REFERRED = "referred", _("转办待复")


def _assignment_orgs(user, perm: str | None = None):
    """Ids of the organizations where ``user`` holds an assignment itself (optionally one
    granting ``perm``) — "my organization", not the subtree below it."""
    assignments = RoleAssignment.objects.filter(user=user).active()
    if perm is not None:
        app_label, codename = perm.split(".", 1)
        assignments = assignments.filter(
            role__permissions__content_type__app_label=app_label,
            role__permissions__codename=codename,
        )
    return assignments.values("organization_id")


def apply_queue(queryset, user, queue: str, today: datetime.date | None = None):
    """The rows of ``queryset`` in ``queue`` for ``user``; an unknown queue is no filter."""
    today = today or timezone.localdate()
    not_final = ~Q(status__in=FINAL_STATUSES)
    if queue == Queue.AWAITING:
        qs = queryset.filter(status=CaseStatus.NEW)
        if user.is_superuser:
            return qs
        return qs.filter(
            Q(assignee=user)
            | Q(
                assignee__isnull=True,
                organization_id__in=_assignment_orgs(user, "cases.handle_case"),
            )
        )
    if queue == Queue.MINE:
        return queryset.filter(not_final, Q(assignee=user) | Q(owner=user))
    if queue == Queue.ORGANIZATION:
        qs = queryset.filter(not_final)
        return qs if user.is_superuser else qs.filter(organization_id__in=_assignment_orgs(user))
    if queue == Queue.DUE_SOON:
        return queryset.filter(
            status__in=OPEN_STATUSES,
            due_date__gte=today,
            due_date__lte=add_working_days(today, DUE_SOON_DAYS),
        )
    if queue == Queue.OVERDUE:
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if queue == Queue.SUPERVISED:
        return queryset.filter(not_final, supervised=True)
    if queue == Queue.REFERRED:
        return queryset.filter(status=CaseStatus.REFERRED)
    return queryset


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryField


class CaseFilter(ListFilterSet):
    q = search_filter(_("编号、标题或单位"))
    status = choice_filter(_("状态"), CaseStatus.choices)
    category = CategoryFilter(
        label=_("类别(含下级)"),
        queryset=CaseCategory.objects.all(),
        empty_label=_("全部"),
        method="filter_category",
    )
    kind = choice_filter(_("类型"), CaseKind.choices)
    channel = choice_filter(_("来源渠道"), Channel.choices)
    urgency = choice_filter(_("紧急程度"), Urgency.choices)
    organization = subtree_filter(_("办理组织(含下级)"), "cases.view_case")
    received_from = django_filters.DateFilter(
        label=_("登记日期自"),
        method="filter_received_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = django_filters.DateFilter(
        label=_("登记日期至"),
        method="filter_received_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, queryset, text):
        return queryset.filter(
            Q(number__iexact=text) | Q(title__contains=text) | Q(employer_name__contains=text)
        )

    def filter_category(self, queryset, name, value):
        return queryset.filter(category__path__startswith=value.path)

    def _local_midnight(self, day: datetime.date) -> datetime.datetime:
        day = min(max(day, datetime.date(1900, 1, 1)), datetime.date(9000, 1, 1))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=self._local_midnight(value))

    def filter_received_to(self, queryset, name, value):
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(
            received_at__lt=self._local_midnight(value + datetime.timedelta(days=1))
        )


class CaseApiFilter(CaseFilter):
    """The same filters for API clients, plus ``queue``."""

    queue = django_filters.ChoiceFilter(
        label=_("工作队列"), choices=Queue.choices, method="filter_queue"
    )

    def filter_queue(self, queryset, name, value):
        return apply_queue(queryset, self.request.auth, value)
