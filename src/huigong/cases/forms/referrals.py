"""The form a partner department's member answers a referral with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huigong.common.forms import StyledForm, text_field

from .. import services


class PartnerReplyForm(StyledForm):
    """A partner department's own answer to a referral."""

    reply_text = text_field(_("答复内容"), services.RESULT_MAX_LENGTH, rows=4)
    replied_by = forms.CharField(
        label=_("答复人"),
        required=False,
        max_length=100,
        help_text=_("留空则记为本人"),
    )
