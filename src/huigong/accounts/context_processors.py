"""Template context shared by every workbench page: the menu and the user's scope."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from huigong.kernel.scope import scope_paths
from huigong.orgs.models import Organization

from .navigation import workbench_nav


def workbench(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "is_worker", False):
        return {}

    # Lazy: templates that do not show them cost no queries; those that do, one each.
    def scope_orgs():
        paths = scope_paths(user)
        if paths is None:
            return list(Organization.get_root_nodes())
        return list(Organization.objects.filter(path__in=paths))

    def nav_items():
        match = getattr(request, "resolver_match", None)
        namespace = match.namespaces[0] if match and match.namespaces else ""
        return workbench_nav(user, namespace, match.view_name if match else "")

    return {"scope_orgs": SimpleLazyObject(scope_orgs), "nav_items": SimpleLazyObject(nav_items)}
