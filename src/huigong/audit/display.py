"""Turning raw log rows into what people read: Chinese object-type names from the models'
``verbose_name``, field labels from the fields' ``verbose_name``, and values shown the way
the rest of the workbench shows them (choice labels, 是/否, related objects by name).

Used by the audit list pages, their Excel export and the ``{% object_history %}`` tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

EMPTY = "—"


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
    (``visible_to``); otherwise, and for deleted objects, by number. Names are looked up
    once per object and cached on the formatter, so a page of rows costs a few queries.
    """

    def __init__(self, user=None):
        self.user = user
        self._names: dict[tuple[type[models.Model], str], str] = {}

    def changes(self, log) -> list[FieldChange]:
        model = _model_for(log.object_type)
        result = []
        data = log.changes if isinstance(log.changes, dict) else {}
        for name in sorted(data, key=lambda n: self._field_order(model, n)):
            pair = data[name]
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            field = _field(model, name)
            result.append(
                FieldChange(
                    name=name,
                    label=field_label(log.object_type, name),
                    old=self.value(field, old),
                    new=self.value(field, new),
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
                field = _field(model, name)
                if field is None or not getattr(field, "is_relation", False):
                    continue
                if not field.related_model or not isinstance(pair, list | tuple):
                    continue
                for value in pair:
                    values = value if isinstance(value, list | tuple) else [value]
                    wanted.setdefault(field.related_model, set()).update(
                        str(v) for v in values if v not in (None, "")
                    )
        for model, pks in wanted.items():
            missing = {pk for pk in pks if (model, pk) not in self._names}
            if not missing:
                continue
            try:
                found = {str(o.pk): str(o) for o in self._scoped(model).filter(pk__in=missing)}
            except (ValueError, TypeError, ValidationError):
                found = {}
            for pk in missing:
                self._names[(model, pk)] = found.get(pk) or _("编号 %(pk)s") % {"pk": pk}

    def summary(self, log) -> str:
        """All changed fields on one line each, for Excel cells."""
        return "\n".join(str(c) for c in self.changes(log))

    @staticmethod
    def _field_order(model, name: str) -> tuple[int, str]:
        if model is None:
            return (0, name)
        names = [f.name for f in model._meta.get_fields()]
        return (names.index(name) if name in names else len(names), name)

    def value(self, field, value: Any) -> str:
        if value is None or value == "" or value == []:
            return EMPTY
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, list | tuple):
            return _("、").join(self.value(field, v) for v in value)
        if field is not None and getattr(field, "is_relation", False) and field.related_model:
            return self._related_name(field.related_model, value)
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
            self._names[key] = str(obj) if obj is not None else _("编号 %(pk)s") % {"pk": pk}
        return self._names[key]

    def _scoped(self, model: type[models.Model]) -> models.QuerySet:
        qs = model._default_manager.all()
        return qs.visible_to(self.user) if hasattr(qs, "visible_to") else qs
