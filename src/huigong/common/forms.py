"""Form helpers every app's workbench and portal use: Tabler's CSS classes on widgets,
and a service's ``ValidationError`` put on the form it came from — all messages in one
round, each on its field where the form has that field."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def widget_class(widget: forms.Widget) -> str:
    """Tabler's class for a widget ('' for hidden inputs)."""
    if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
        return ""
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def style_form(
    form: forms.BaseForm, *, mark_errors: bool = False, skip: tuple[type, ...] = ()
) -> None:
    """Give every widget its Tabler class (keeping a class set by the form itself); with
    ``mark_errors``, fields in error also get ``is-invalid``. Widgets of the ``skip``
    types are left alone (a template that renders them itself)."""
    for name, field in form.fields.items():
        if skip and isinstance(field.widget, skip):
            continue
        css = widget_class(field.widget)
        if not css:
            continue
        if mark_errors and form.is_bound and name in form.errors:
            field.widget.attrs["class"] = f"{css} is-invalid"
        else:
            field.widget.attrs.setdefault("class", css)


class StyledFormMixin:
    """``style_form`` on construction."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


def add_service_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    describe: Callable[[str], str | None] | None = None,
) -> None:
    """Put a service's ``ValidationError`` on ``form``: messages of a field the form has
    on that field, the others above the form. ``describe(name)`` may name what an
    unknown key refers to (``applicants.1.id_number`` → "第 2 名职工"); its messages are
    then prefixed with that label."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        if name in form.fields:
            form.add_error(name, texts)
            continue
        label = describe(name) if describe else None
        if label:
            texts = [_("%(label)s:%(error)s") % {"label": label, "error": t} for t in texts]
        form.add_error(None, texts)


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form whose widgets get the workbench's Tabler classes."""


def textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})
