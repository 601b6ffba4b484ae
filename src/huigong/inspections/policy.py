"""The reads of joint labour inspections and the rules about them: the campaigns a user
sees (through the data scope of ``inspections.view_inspection``), the loaders that 404
outside it, a campaign's targets with their findings and orders and its result totals,
the list's per-campaign counts, and its timeline as staff see it. The workbench pages
and the API both read these; which actions a user may take is ``actions``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from huigong.kernel.scope import get_visible_or_404
from huigong.kernel.timeline import Audience, timeline_rows

from .models import (
    Inspection,
    InspectionFinding,
    InspectionTarget,
    RectificationOrder,
    RectificationStatus,
)
from .services import VIEW_INSPECTION as VIEW

# -- loaders ---------------------------------------------------------------------------------------


def require_viewer(user) -> None:
    """``PermissionDenied`` unless ``user`` is staff holding the view permission somewhere
    (the API's 403; the pages say the same through ``StaffRequiredMixin``)."""
    if getattr(user, "is_worker", False) or not user.has_perm(VIEW):
        raise PermissionDenied(_("没有查看执法检查的权限"))


def visible_inspections(user) -> QuerySet[Inspection]:
    return Inspection.objects.visible_to(user, VIEW).select_related("organization")


def visible_inspection(user, pk: int) -> Inspection:
    """The campaign ``pk`` if ``user`` sees it; 404 otherwise (outside the scope or
    missing: the same answer)."""
    return get_visible_or_404(
        Inspection.objects.select_related("organization", "created_by"), user, VIEW, pk=pk
    )


def target_of(inspection: Inspection, target_id: int) -> InspectionTarget:
    """A target of this campaign (404 for another campaign's)."""
    target = InspectionTarget.objects.filter(inspection=inspection, pk=target_id).first()
    if target is None:
        raise Http404
    return target


def finding_of(inspection: Inspection, finding_id: int) -> InspectionFinding:
    """A finding of this campaign (404 for another campaign's)."""
    finding = (
        InspectionFinding.objects.filter(target__inspection=inspection, pk=finding_id)
        .select_related("target")
        .first()
    )
    if finding is None:
        raise Http404
    return finding


def order_of(inspection: Inspection, order_id: int) -> RectificationOrder:
    """A rectification order of this campaign (404 for another campaign's)."""
    order = (
        RectificationOrder.objects.filter(finding__target__inspection=inspection, pk=order_id)
        .select_related("finding__target")
        .first()
    )
    if order is None:
        raise Http404
    return order


# -- the list --------------------------------------------------------------------------------------


def _count(model, link: str, **filters) -> Subquery:
    rows = (
        model.objects.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_totals(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """Annotate each campaign's counts (one subquery each, no row multiplication)."""
    orders = "finding__target__inspection"
    contracts = (
        RectificationOrder.objects.filter(**{orders: OuterRef("pk")}, status="rectified")
        .order_by()
        .values(orders)
        .annotate(n=Sum("contracts_signed"))
        .values("n")
    )
    return queryset.annotate(
        target_count=_count(InspectionTarget, "inspection"),
        finding_count=_count(InspectionFinding, "target__inspection"),
        order_count=_count(RectificationOrder, orders),
        rectified_count=_count(RectificationOrder, orders, status="rectified"),
        contracts_total=Coalesce(Subquery(contracts, output_field=IntegerField()), 0),
    )


# -- one campaign ----------------------------------------------------------------------------------


def targets_with_rows(inspection: Inspection) -> list[InspectionTarget]:
    """The campaign's targets with their findings (and the case of each) and orders,
    loaded in a fixed number of queries."""
    orders = RectificationOrder.objects.order_by("due_date", "id")
    findings = InspectionFinding.objects.select_related("case").prefetch_related(
        Prefetch("orders", queryset=orders)
    )
    return list(
        inspection.targets.select_related("organization").prefetch_related(
            Prefetch("findings", queryset=findings.order_by("id"))
        )
    )


def totals(targets: list[InspectionTarget]) -> dict[str, Any]:
    """What a campaign achieved, from ``targets_with_rows``: enterprises visited, findings,
    orders and how many were put right (on time or late), contracts signed, workers newly
    insured, money recovered, cases opened."""
    findings = [f for t in targets for f in t.findings.all()]
    orders = [o for f in findings for o in f.orders.all()]
    rectified = [o for o in orders if o.status == RectificationStatus.RECTIFIED]
    on_time = [o for o in rectified if o.rectified_on_time]
    return {
        "targets": len(targets),
        "visited": sum(1 for t in targets if t.visited_on),
        "workers": sum(t.workers_employed or 0 for t in targets),
        "findings": len(findings),
        "workers_affected": sum(f.workers_affected for f in findings),
        "orders": len(orders),
        "rectified": len(rectified),
        "on_time": len(on_time),
        "overdue": sum(1 for o in orders if o.status == RectificationStatus.OVERDUE),
        "contracts_signed": sum(o.contracts_signed for o in rectified),
        "workers_insured": sum(o.workers_insured for o in rectified),
        "amount_recovered": sum((o.amount_recovered for o in rectified), Decimal("0.00")),
        "cases": sum(1 for f in findings if f.case_id),
    }


def inspection_timeline(inspection: Inspection) -> list[dict]:
    """The campaign's timeline as display rows (the kernel's ``timeline_rows``).
    Campaigns are staff work: only staff in scope see them, and they see every event."""
    return timeline_rows(inspection.events.select_related("actor"), audience=Audience.STAFF)
