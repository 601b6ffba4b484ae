"""What a partner department's member accounts see of the referrals sent to their
department: their queue, scoped by membership rather than the organization tree. The
departments themselves are managed in ``huigong.partners``; members hold
``cases.answer_referral`` and answer through ``record_department_reply``."""

from __future__ import annotations

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, QuerySet, Value, When

from ..models import CaseStatus, Referral, ReferralStatus

ANSWER_REFERRAL = "cases.answer_referral"


def referrals_for_member(user) -> QuerySet[Referral]:
    """Referrals sent to the departments ``user`` is a member of (the partner queue:
    scoped by membership, not by the organization tree)."""
    if user is None or not user.is_authenticated or getattr(user, "is_worker", False):
        return Referral.objects.none()
    if not user.has_perm(ANSWER_REFERRAL):
        return Referral.objects.none()
    return Referral.objects.filter(department__members=user)


def referral_queue(user) -> QuerySet[Referral]:
    """The partner's queue: the referrals of the user's departments, waiting ones first,
    soonest due first (the page and the API list the same)."""
    return (
        referrals_for_member(user)
        .select_related("case", "case__category", "department")
        .annotate(
            waiting=SqlCase(
                When(status=ReferralStatus.REPLIED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "due_date", "pk")
    )


def referral_answerable(referral: Referral) -> bool:
    """A referral can still be answered while it waits and its case is with the department."""
    return referral.status != ReferralStatus.REPLIED and referral.case.status == CaseStatus.REFERRED


def is_member_for(user, referral: Referral) -> bool:
    """True when ``user`` answers referrals for the referral's department."""
    return referrals_for_member(user).filter(pk=referral.pk).exists()
