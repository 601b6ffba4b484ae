from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from huigong.accounts.decorators import worker_required
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
        page = reverse("example:detail", args=[errand.pk])
        done, form = errand_actions.post(request, action, errand, redirect_to=page)
        if done:
            return done
        bound = (action, form)
    context = {
        "errand": errand,
        "timeline": policy.errand_timeline(errand),
        "forms": errand_actions.forms(request.user, errand, bound=bound),
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
