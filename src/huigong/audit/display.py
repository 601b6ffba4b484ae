"""Turning raw log rows into what people read: Chinese object-type names from the models'
``verbose_name``, field labels from the fields' ``verbose_name``, and values shown the way
the rest of the workbench shows them (choice labels, 是/否, related objects by name).

A creation entry shows only what was entered: fields logged at their model default or
empty (a counter at 0, an empty text) are left out. Related objects read by name when
the viewer may see them, and as a neutral placeholder ("职工(不在您的范围内或已删除)")
otherwise, so neither a name nor an internal id leaks out of scope.

Used by the audit list pages, their Excel export and the ``{% object_history %}`` tag.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from huigong.common.redact import redact

from .models import ChangeAction

EMPTY = "—"
_BLANK = (None, "", [], {})

#: (object type, field) → the model whose ids the log holds for that field, where that is
#: not the field's own related model (``log_field_as``).
_LOGGED_AS: dict[tuple[str, str], str] = {}


def log_field_as(object_type: str, field: str, model: str) -> None:
    """Declare that change-log entries of ``object_type`` write ``field`` as ids of
    ``model`` (labels like ``people.person``): a case logs its ``parties`` (rows of the
    link table) as the persons they name. Apps call it from ``AppConfig.ready``."""
    _LOGGED_AS[(object_type, field)] = model


def _model_for(object_type: str) -> type[models.Model] | None:
    """The model class of a ``label_lower`` such as ``people.person``, or None when the
    model no longer exists (logs outlive renamed or removed models)."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """职工 for ``people.person``; the raw label for unknown types."""
    model = _model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


@cache
def _audited_models() -> tuple[tuple[str, type[models.Model]], ...]:
    return tuple(
        (model._meta.label_lower, model)
        for config in apps.get_app_configs()
        if config.name.startswith("huigong.")
        for model in config.get_models()
    )


def object_type_choices() -> list[tuple[str, str]]:
    """Choices for the object-type filter: every Huigong model by its Chinese name. When two
    models share a name the app's name is added, so the choice stays unambiguous."""
    entries = [(label, str(model._meta.verbose_name), model) for label, model in _audited_models()]
    counts: dict[str, int] = {}
    for _label, name, _model in entries:
        counts[name] = counts.get(name, 0) + 1
    choices = [
        (
            label,
            name if counts[name] == 1 else f"{name}({model._meta.app_config.verbose_name})",
        )
        for label, name, model in entries
    ]
    return sorted(choices, key=lambda c: (c[1], c[0]))


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_model(object_type: str, name: str, field) -> type[models.Model] | None:
    """The model whose ids the log holds for ``name``, or None when it holds plain values."""
    declared = _LOGGED_AS.get((object_type, name))
    if declared is not None:
        return _model_for(declared)
    if field is not None and getattr(field, "is_relation", False):
        return field.related_model
    return None


def _plain_default(field) -> Any:
    """The field's default as the log writes values (dates and decimals as text); None
    when it has none or it is computed (calling it could draw a number or a time)."""
    if field is None or not getattr(field, "concrete", False) or not field.has_default():
        return None
    default = field.default
    if callable(default):
        return None
    if isinstance(default, datetime.date | datetime.time | decimal.Decimal):
        return str(default)
    return default


def _entered(field, value: Any) -> bool:
    """Whether a value logged at creation says something: neither empty nor the default
    the model would have set anyway (``重办次数 0``)."""
    if value in _BLANK:
        return False
    default = _plain_default(field)
    # 0 == False in Python: a number logged where the default is a flag still says something.
    if default is None or isinstance(value, bool) is not isinstance(default, bool):
        return True
    return value != default


def field_label(object_type: str, name: str) -> str:
    """The field's verbose name (姓名 for ``name``); the raw name for unknown fields."""
    field = _field(_model_for(object_type), name)
    label = getattr(field, "verbose_name", None)
    if label is None and getattr(field, "auto_created", False) and field.related_model:
        # A reverse relation (e.g. a case's ``parties``) is named after the rows it holds.
        label = field.related_model._meta.verbose_name_plural
    return str(label) if label else name


def field_labels(object_type: str, names: str) -> str:
    """``"id_number,phone"`` → ``"身份证号码、手机号"`` (the access log's field list)."""
    return _("、").join(field_label(object_type, n.strip()) for n in names.split(",") if n.strip())


@dataclass(frozen=True)
class FieldChange:
    """One changed field of a change-log row, ready to show."""

    name: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}:{self.old} → {self.new}"


class ChangeFormatter:
    """Formats the ``changes`` of change-log rows for one viewer.

    Related objects are shown by name only when the viewer may see them
    (``visible_to``); otherwise, and for deleted objects, by a placeholder naming only
    the kind of object. Names are looked up once per object and cached on the
    formatter, so a page of rows costs a few queries.
    """

    def __init__(self, user=None):
        self.user = user
        self._names: dict[tuple[type[models.Model], str], str] = {}

    def changes(self, log) -> list[FieldChange]:
        model = _model_for(log.object_type)
        result = []
        data = log.changes if isinstance(log.changes, dict) else {}
        creation = log.action == ChangeAction.CREATE
        for name in sorted(data, key=lambda n: self._field_order(model, n)):
            pair = data[name]
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            field = _field(model, name)
            if creation and not _entered(field, new):
                continue
            related = _related_model(log.object_type, name, field)
            result.append(
                FieldChange(
                    name=name,
                    label=field_label(log.object_type, name),
                    old=self.value(field, old, related=related),
                    new=self.value(field, new, related=related),
                )
            )
        return result

    def prefetch(self, logs) -> None:
        """Look up the names of all related objects mentioned in ``logs`` with one query per
        related model, so a page of rows does not cost a query per value."""
        wanted: dict[type[models.Model], set[str]] = {}
        for log in logs:
            model = _model_for(log.object_type)
            data = log.changes if isinstance(log.changes, dict) else {}
            for name, pair in data.items():
                related = _related_model(log.object_type, name, _field(model, name))
                if related is None or not isinstance(pair, list | tuple):
                    continue
                for value in pair:
                    values = value if isinstance(value, list | tuple) else [value]
                    wanted.setdefault(related, set()).update(
                        str(v) for v in values if v not in (None, "")
                    )
        for model, pks in wanted.items():
            missing = {pk for pk in pks if (model, pk) not in self._names}
            if not missing:
                continue
            try:
                found = {str(o.pk): _name(o) for o in self._scoped(model).filter(pk__in=missing)}
            except (ValueError, TypeError, ValidationError):
                found = {}
            for pk in missing:
                self._names[(model, pk)] = found.get(pk) or _unseen(model)

    def summary(self, log) -> str:
        """All changed fields on one line each, for Excel cells."""
        return "\n".join(str(c) for c in self.changes(log))

    @staticmethod
    def _field_order(model, name: str) -> tuple[int, str]:
        if model is None:
            return (0, name)
        names = [f.name for f in model._meta.get_fields()]
        return (names.index(name) if name in names else len(names), name)

    def value(self, field, value: Any, *, related: type[models.Model] | None = None) -> str:
        """``value`` as the workbench shows it; ``related`` is the model whose ids the log
        holds for this field (by default the field's related model)."""
        if value in _BLANK:
            return EMPTY
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if related is None and field is not None and getattr(field, "is_relation", False):
            related = field.related_model
        if isinstance(value, list | tuple):
            return _("、").join(self.value(field, v, related=related) for v in value)
        if related is not None:
            return self._related_name(related, value)
        if field is not None and getattr(field, "flatchoices", None):
            labels = {str(k): v for k, v in field.flatchoices}
            if str(value) in labels:
                return str(labels[str(value)])
        return str(value)

    def _related_name(self, model: type[models.Model], pk: Any) -> str:
        key = (model, str(pk))
        if key not in self._names:
            try:
                obj = self._scoped(model).filter(pk=pk).first()
            except (ValueError, TypeError, ValidationError):
                obj = None
            self._names[key] = _name(obj) if obj is not None else _unseen(model)
        return self._names[key]

    def _scoped(self, model: type[models.Model]) -> models.QuerySet:
        qs = model._default_manager.all()
        return qs.visible_to(self.user) if hasattr(qs, "visible_to") else qs


def _name(obj: models.Model) -> str:
    # A name may carry an ID or phone number typed into it (a case's title); the log's
    # readers see them masked, as everywhere else in the log.
    return redact(str(obj))


def _unseen(model: type[models.Model]) -> str:
    """What a related object reads as when the viewer may not see it or it is gone: its
    kind only, never its name or its internal id."""
    return _("%(type)s(不在您的范围内或已删除)") % {"type": model._meta.verbose_name}
