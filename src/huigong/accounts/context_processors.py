"""Template context shared by every workbench page: the user's scope for the header."""

from __future__ import annotations

from huigong.orgs.scope import scope_paths


def workbench(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_worker", False):
        return {}

    def scope_orgs():
        from huigong.orgs.models import Organization

        paths = scope_paths(user)
        if paths is None:
            return list(Organization.get_root_nodes())
        return list(Organization.objects.filter(path__in=paths))

    return {"scope_orgs": scope_orgs}
