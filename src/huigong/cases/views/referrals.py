"""The pages of a partner department's member accounts (``cases.answer_referral``): the
referrals sent to their department, and a restricted page to answer one — the case's
title, category and description, the request and its deadline, the parties masked,
nothing internal. (The union manages the departments themselves in ``huigong.partners``.)

These pages are scoped by membership, not by the organization tree: a referral of
another department, or any id that is not a referral to the user's department, is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from huigong.common.listing import StaffRequiredMixin

from .. import services
from ..forms.base import add_service_errors
from ..forms.referrals import PartnerReplyForm
from ..models import CaseParty, Referral

ANSWER = services.ANSWER_REFERRAL


class ReferralQueueView(StaffRequiredMixin, TemplateView):
    """转办给本部门: the referrals sent to the departments the user is a member of."""

    permission_required = ANSWER
    template_name = "cases/referrals/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "referrals": list(services.referral_queue(self.request.user)),
                "page_title": _("转办给本部门"),
            }
        )
        return context


class ReferralAnswerView(StaffRequiredMixin, View):
    """One referral as its department sees it, with the reply form while it waits."""

    permission_required = ANSWER
    template_name = "cases/referrals/detail.html"

    def load(self, request, pk: int) -> Referral:
        try:
            return services.referral_queue(request.user).get(pk=pk)
        except (Referral.DoesNotExist, ValueError, TypeError):
            raise Http404

    def render_page(self, referral: Referral, form=None, error: str = ""):
        parties = CaseParty.objects.filter(case=referral.case).select_related("person")
        can_answer = services.referral_answerable(referral)
        if can_answer and form is None:
            form = PartnerReplyForm()
        failed = bool(error) or (form is not None and bool(form.errors))
        return render(
            self.request,
            self.template_name,
            {
                "referral": referral,
                "case": referral.case,
                "parties": parties,
                "form": form if can_answer else None,
                "error": error,
                "page_title": referral.case.number,
            },
            status=400 if failed else 200,
        )

    def get(self, request, pk: int):
        return self.render_page(self.load(request, pk))

    def post(self, request, pk: int):
        referral = self.load(request, pk)
        if not services.referral_answerable(referral):
            return self.render_page(
                referral, error=_("该转办已答复或诉求已不在转办状态,不能再答复")
            )
        form = PartnerReplyForm(request.POST)
        if form.is_valid():
            try:
                services.record_department_reply(
                    actor=request.user,
                    referral=referral,
                    reply_text=form.cleaned_data["reply_text"],
                    replied_by=form.cleaned_data["replied_by"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已提交答复"))
                return HttpResponseRedirect(reverse("cases:referral", args=[referral.pk]))
        referral = self.load(request, pk)
        if not services.referral_answerable(referral):
            return self.render_page(referral, error=" ".join(form.non_field_errors()))
        return self.render_page(referral, form)
