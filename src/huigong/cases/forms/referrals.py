"""The form a partner department's member answers a referral with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import StyledForm

from .. import services


class PartnerReplyForm(StyledForm):
    """A partner department's own answer to a referral."""

    reply_text = forms.CharField(
        label=_("答复内容"),
        max_length=services.RESULT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    replied_by = forms.CharField(
        label=_("答复人"),
        required=False,
        max_length=100,
        help_text=_("留空则记为本人"),
    )
