"""The service tiles on the portal home.

Apps add their worker services with ``register_tile`` in ``AppConfig.ready``. A tile shows
only when its page exists (its URL name reverses) and the visitor may use it, so the home
page never links to a service that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    key: str
    label: str | Promise
    url_name: str
    description: str | Promise = ""
    #: "worker": signed-in workers only; "anyone": also anonymous visitors.
    audience: str = "worker"
    order: int = 100


_TILES: dict[str, Tile] = {}


def register_tile(tile: Tile) -> None:
    _TILES[tile.key] = tile


def tiles_for(user) -> list[dict]:
    """The tiles ``user`` sees, in order, with their URLs."""
    is_worker = user.is_authenticated and user.is_worker
    shown = []
    for tile in sorted(_TILES.values(), key=lambda t: (t.order, t.key)):
        if tile.audience == "worker" and not is_worker:
            continue
        try:
            url = reverse(tile.url_name)
        except NoReverseMatch:
            continue
        shown.append(
            {"key": tile.key, "label": tile.label, "url": url, "description": tile.description}
        )
    return shown


register_tile(
    Tile(
        "case_submit",
        _("我要反映"),
        "portal:case_submit",
        _("欠薪、合同、工伤等诉求和求助"),
        order=10,
    )
)
register_tile(
    Tile("cases", _("我的诉求"), "portal:cases", _("查看办理进度,评价办理结果"), order=20)
)
register_tile(Tile("me", _("我的信息"), "portal:me", _("手机号、所在工会和会员状态"), order=900))
register_tile(
    Tile("password", _("修改密码"), "portal:password_change", _("更换登录密码"), order=910)
)
register_tile(
    Tile("api_tokens", _("API 令牌"), "portal:api_tokens", _("供小程序等客户端使用"), order=920)
)
