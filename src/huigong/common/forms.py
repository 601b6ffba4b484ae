"""Form helpers every app's workbench and portal use: Tabler's CSS classes on widgets,
the message catalogue's specific wording on fields (``specific_messages``), and a
service's ``ValidationError`` put on the form it came from — all messages in one round,
each on its field where the form has that field, even when the form itself is invalid
(``add_check_errors``)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import messages as catalogue


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


def _default_messages(field: forms.Field) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return defaults


def specific_messages(form: forms.BaseForm) -> None:
    """Give every field of ``form`` the catalogue's specific messages ("请填写姓名",
    "请选择所属工会", "不能超过 50 个字") in place of Django's generic ones. A message the
    form set itself is kept. Call it after the form has set its labels."""
    for field in form.fields.values():
        defaults = _default_messages(field)
        for code, message in catalogue.field_messages(field).items():
            own = field.error_messages.get(code)
            if own is None or own == defaults.get(code):
                field.error_messages[code] = message


class SpecificMessagesMixin:
    """``specific_messages`` on construction."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        specific_messages(self)


def add_service_errors(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    describe: Callable[[str], str | None] | None = None,
    skip: frozenset[str] = frozenset(),
) -> None:
    """Put a service's ``ValidationError`` on ``form``: messages of a field the form has
    on that field, the others above the form. ``describe(name)`` may name what an
    unknown key refers to (``applicants.1.id_number`` → "第 2 名职工"); its messages are
    then prefixed with that label. Fields in ``skip`` are left alone."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.error_dict.items():
        if name in skip:
            continue
        texts = [m for e in errors for m in e.messages]
        if name in form.fields:
            form.add_error(name, texts)
            continue
        label = describe(name) if describe else None
        if label:
            texts = [_("%(label)s:%(error)s") % {"label": label, "error": t} for t in texts]
        form.add_error(None, texts)


def add_check_errors(
    form: forms.BaseForm,
    check: Callable[[], object],
    *,
    describe: Callable[[str], str | None] | None = None,
) -> None:
    """On a form that did not validate, run the service's ``check()`` (reading what the
    form could parse from ``form.cleaned_data``) and add the messages of the fields the
    form has not flagged: a bad ID number or a duplicate shows together with the empty
    name, in one round. The service stays the authority: it checks everything again on
    save."""
    flagged = frozenset(form.errors)
    try:
        check()
    except ValidationError as exc:
        add_service_errors(form, exc, describe=describe, skip=flagged)


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form whose widgets get the workbench's Tabler classes."""


def textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ObjectActionForm(forms.Form):
    """The small form of one action on an object's page (``kernel.actions``). It is built
    with the object under the keyword ``subject`` names (``case=``, ``inspection=``) and
    ``user=``, keeps both as attributes, and prefixes its fields with ``prefix_name`` so
    the forms of one page stay apart; ``setup()`` narrows choices to the object."""

    subject = ""
    prefix_name = ""

    def __init__(self, *args, user, **kwargs):
        obj = kwargs.pop(self.subject)
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        setattr(self, self.subject, obj)
        self.user = user
        self.setup()
        style_form(self)

    def setup(self) -> None:
        pass


# -- field factories: the field groups the forms of every app repeat --------------------------


def text_field(label, max_length: int, *, required: bool = True, rows: int = 2, **options):
    """Free text of several lines: a note, a reason, a summary."""
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=textarea(rows), **options
    )


def amount_field(label, **options) -> forms.DecimalField:
    """An optional amount of money in yuan, as the amount columns hold it."""
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=12, decimal_places=2, **options
    )


def count_field(label, maximum: int, **options) -> forms.IntegerField:
    """An optional head count or number of items, from 0 up to ``maximum``."""
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=maximum, **options
    )


def date_field(label, *, required: bool = True, **options) -> forms.DateField:
    """A date picked with the browser's date input."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        **options,
    )
