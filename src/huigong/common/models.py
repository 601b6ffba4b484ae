"""Shared reference tables and model building blocks. Only what really is shared lives
here: the holiday table that every deadline in working days is computed on
(``huigong.common.workdays``), the link to the user who did something (``user_link``),
the check that an optional number is not negative (``not_negative``), and the status
field and one-line transitions of the apps' state machines (``state_field``,
``StateChange``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


def user_link(
    verbose_name, *, related_name: str = "+", blank: bool = True, **options: Any
) -> models.ForeignKey:
    """A link to the user who did or owns something (登记人, 承办人, 上传人 …). Deleting the
    account keeps the row, with the link emptied; ``related_name="+"`` by default, as a
    user needs no reverse accessor to every row they once touched."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
        **options,
    )


def not_negative(field: str, *, name: str) -> models.CheckConstraint:
    """A database check that an optional number (an amount, a head count) is empty or
    at least zero."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
        name=name,
    )


def state_field(choices: type[models.TextChoices], default: str, *, max_length: int = 12):
    """The ``status`` of a state machine: changed only through its ``StateChange``
    transitions (``protected``), and indexed for the lists and the deadline sweeps."""
    return FSMField(
        _("状态"),
        max_length=max_length,
        choices=choices.choices,
        default=default,
        protected=True,
        db_index=True,
    )


class StateChange:
    """A django-fsm transition that only moves the state — the services do everything
    around it — declared in one line of the model's state table::

        accept = StateChange(CaseStatus.NEW, CaseStatus.ACCEPTED)

    It becomes the usual ``@transition`` method named after the attribute, so
    ``case.accept()`` and ``can_proceed(case.accept)`` work as with a written one."""

    def __init__(self, source: str | Iterable[str], target: str, *, field: str = "status"):
        self.source = source if isinstance(source, str) else list(source)
        self.target = target
        self.field = field

    def __set_name__(self, owner: type, name: str) -> None:
        def change_state(instance) -> None:
            pass

        change_state.__name__ = name
        change_state.__qualname__ = f"{owner.__qualname__}.{name}"
        method = transition(field=self.field, source=self.source, target=self.target)
        setattr(owner, name, method(change_state))


class HolidaySource(models.TextChoices):
    PACKAGE = "package", _("chinese-calendar 数据")
    MANUAL = "manual", _("管理员录入")


class Holiday(models.Model):
    """A date whose status is fixed by the State Council's yearly notice: an official
    holiday (放假, ``is_workday`` False) or an adjusted workday (调休上班, True).

    Dates not in the table follow the plain rule: Monday–Friday work, Saturday–Sunday rest.
    A year "has a schedule" once at least one of its dates is in the table.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"),
        default=False,
        help_text=_("勾选表示调休上班日;不勾选表示法定节假日放假"),
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("如:春节、国庆节"))
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=HolidaySource.choices,
        default=HolidaySource.MANUAL,
        editable=False,
        help_text=_("管理员录入或修改过的年份,导入节假日数据时不会被覆盖"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        kind = _("上班") if self.is_workday else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name}({kind})"
