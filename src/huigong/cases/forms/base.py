"""What the case forms share: service errors put back on a form (with the applicants
named), and the several-files field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from huigong.common import forms as common_forms


def applicant_label(name: str) -> str | None:
    """What a service error key about the applicants refers to: ``applicants.1.id_number``
    → "第 2 名职工"."""
    if not name.startswith("applicants"):
        return None
    parts = name.split(".")
    if len(parts) > 1 and parts[1].isdigit():
        return _("第 %(n)d 名职工") % {"n": int(parts[1]) + 1}
    return _("申请人")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ``ValidationError`` on a case form, all messages in one round: known
    fields on themselves, the rest (``applicants.0.id_number``, state errors) above it."""
    common_forms.add_service_errors(form, exc, describe=applicant_label)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; type and size are checked by
    ``services.add_attachment``."""

    def __init__(self, *args, max_files: int = 10, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("一次最多上传 %(n)d 个文件") % {"n": self.max_files}, code="max_files"
            )
        return files
