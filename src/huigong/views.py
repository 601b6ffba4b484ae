"""Project-level pages: the workbench home, global search and a health probe."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render


@login_required
def home(request):
    if request.user.is_worker:
        return redirect("portal:home")
    return redirect("stats:dashboard")


@login_required
def global_search(request):
    return render(request, "workbench/search.html", {"q": request.GET.get("q", "")})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
