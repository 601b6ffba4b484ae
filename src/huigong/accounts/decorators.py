"""Who may open a page: staff pages and worker (portal) pages are kept apart."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def staff_required(view):
    """Signed-in staff only: anonymous visitors go to the staff sign-in, workers to the
    portal (``WorkerBoundaryMiddleware`` does the same for every staff page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        if user.is_worker:
            return redirect("portal:home")
        return view(request, *args, **kwargs)

    return wrapper


def worker_required(view):
    """Signed-in workers only: anonymous visitors go to the portal sign-in; staff accounts
    get 403 (the portal pages are about the worker's own person record)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if not user.is_worker:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
