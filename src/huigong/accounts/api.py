"""The accounts API: ``/api/v1/me``, the signed-in user and their data scope.

Mounted at the API's root (``router_path``), where ``/me`` has always been, rather than
under ``/accounts/``. API tokens themselves are looked up by ``backends.authenticate_api_key``
(``settings.API_TOKEN_AUTHENTICATOR``).
"""

from __future__ import annotations

from ninja import Router, Schema

from huigong.kernel.scope import scope_paths
from huigong.orgs.models import Organization

router = Router()
router_path = "/"


class ScopeOrgOut(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    kind: str
    scope: list[ScopeOrgOut]
    permissions: list[str]


@router.get(
    "/me",
    response=MeOut,
    summary="当前用户与管辖范围",
    # The id it had when the project's API module declared it; clients may key on it.
    operation_id="huigong_api_me",
)
def me(request):
    user = request.auth
    paths = scope_paths(user)
    orgs = (
        Organization.objects.filter(depth=1)
        if paths is None
        else Organization.objects.filter(path__in=paths)
    )
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "kind": user.kind,
        "scope": [{"id": o.pk, "name": o.name, "kind": o.kind} for o in orgs],
        "permissions": sorted(user.get_all_permissions()),
    }
