"""Mounted at ``/api/v1/example/`` by the project's router discovery."""

from ninja import Router, Schema

from huigong.kernel.timeline import Audience

from . import policy
from .actions import errand_actions

router = Router()


class ErrandOut(Schema):
    id: int
    title: str
    status: str
    actions: list[str]
    timeline: list[str]


@router.get("/errands/{errand_id}", response=ErrandOut, summary="一条待办")
def get_errand(request, errand_id: int):
    errand = policy.visible_errand(request.auth, errand_id)
    return {
        "id": errand.pk,
        "title": errand.title,
        "status": errand.status,
        "actions": errand_actions.allowed_names(request.auth, errand),
        "timeline": [
            str(row["label"]) for row in policy.errand_timeline(errand, audience=Audience.STAFF)
        ],
    }
