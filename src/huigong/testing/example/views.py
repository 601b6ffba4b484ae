from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from huigong.accounts.decorators import worker_required
from huigong.common.forms import add_service_errors
from huigong.kernel.timeline import Audience

from . import policy
from .actions import errand_actions
from .models import Errand


def errand_list(request):
    if not request.user.is_authenticated or not request.user.has_perm(policy.VIEW):
        raise Http404
    errands = Errand.objects.visible_to(request.user, policy.VIEW).order_by("due_date")
    return render(request, "example/list.html", {"errands": errands, "page_title": "待办"})


def errand_detail(request, pk: int, action: str = ""):
    errand = policy.visible_errand(request.user, pk)
    bound = None
    if request.method == "POST":
        if not errand_actions.has(action):
            raise Http404
        spec = errand_actions.get(action)
        form = spec.form(request.POST, errand=errand, user=request.user)
        if form.is_valid():
            try:
                errand_actions.perform(action, request.user, errand, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, spec.success)
                return redirect("example:detail", pk=errand.pk)
        bound = (action, form)
    offered = errand_actions.allowed(request.user, errand)
    forms = [
        (a, bound[1] if bound and bound[0] == a.name else a.form(errand=errand, user=request.user))
        for a in offered
    ]
    context = {
        "errand": errand,
        "timeline": policy.errand_timeline(errand),
        "forms": forms,
        "page_title": errand.title,
    }
    return render(request, "example/detail.html", context, status=400 if bound else 200)


@worker_required
def my_errands(request):
    errands = Errand.objects.of_worker(request.user)
    rows = [
        (e, policy.errand_timeline(e, audience=Audience.WORKER, viewer=request.user))
        for e in errands
    ]
    return render(request, "example/mine.html", {"rows": rows})
