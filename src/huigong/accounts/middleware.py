"""Keeps worker accounts out of the staff workbench, whatever page they ask for."""

from __future__ import annotations

from django.shortcuts import redirect

#: URL namespaces and names a worker may use; everything else sends them to the portal.
WORKER_NAMESPACES = {"portal", "api"}
WORKER_URL_NAMES = {"set_language", "healthz", "accounts:logout"}


class WorkerBoundaryMiddleware:
    """A signed-in worker who opens a staff page (workbench, admin, staff sign-in) is
    redirected to the portal home. Staff pages therefore never render for a worker, even
    one that forgets its own check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(user, "is_worker", False):
            return None
        match = request.resolver_match
        if match is None:
            return None
        if match.namespaces and match.namespaces[0] in WORKER_NAMESPACES:
            return None
        if match.view_name in WORKER_URL_NAMES:
            return None
        return redirect("portal:home")
