"""Project-level pages: the workbench home and global search (the health probe is
``huigong.health``)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render

from huigong.common.text import clean_text
from huigong.orgs.models import Organization
from huigong.people.search import FullNumberSearchThrottled, parse_query, search_persons


@login_required
def home(request):
    """Where each kind of user starts: workers on the portal, partner-department staff
    (who see nothing of the union's own data) on the referrals sent to them, union staff
    on the dashboard of their scope."""
    user = request.user
    if user.is_worker:
        return redirect("portal:home")
    if user.has_perm("cases.answer_referral") and not user.has_perm("cases.view_case"):
        return redirect("cases:referral_queue")
    return redirect("stats:dashboard")


#: Results shown per section of the global search page.
SEARCH_LIMIT = 20


@login_required
def global_search(request):
    """One box for persons (name, pinyin, ID number or its last four, phone) and
    organizations (name), both limited to what the user may see."""
    if request.user.is_worker:
        return redirect("portal:home")
    q = request.GET.get("q", "")[:100]
    query = parse_query(q)
    persons, organizations = [], []
    refusal = None
    can_see_persons = request.user.has_perm("people.view_person")
    if query.value:
        if can_see_persons:
            try:
                persons = list(
                    search_persons(request.user, q)
                    .select_related("organization")
                    .order_by("name_pinyin", "id")[:SEARCH_LIMIT]
                )
            except FullNumberSearchThrottled as exc:
                refusal = exc.message
        name = clean_text(q)
        if name:
            organizations = list(
                Organization.objects.visible_to(request.user, "orgs.view_organization")
                .filter(Q(name__contains=name) | Q(short_name__contains=name))
                .order_by("depth", "path")[:SEARCH_LIMIT]
            )
    return render(
        request,
        "workbench/search.html",
        {
            "q": q,
            "query": query,
            "persons": persons,
            "organizations": organizations,
            "can_see_persons": can_see_persons,
            "refusal": refusal,
            "limit": SEARCH_LIMIT,
        },
    )
