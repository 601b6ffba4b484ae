from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry


class AccountsConfig(registry.PlatformAppConfig):
    name = "huigong.accounts"
    verbose_name = _("账号与角色")
    menu_items = (
        registry.MenuItem(
            "admin",
            pgettext_lazy("workbench menu", "系统配置"),
            "admin:index",
            allowed=lambda user: user.is_superuser,
            order=900,
        ),
    )
    tiles = (
        registry.Tile("me", _("我的信息"), "portal:me", _("手机号、所在工会和会员状态"), order=900),
        registry.Tile(
            "password", _("修改密码"), "portal:password_change", _("更换登录密码"), order=910
        ),
        registry.Tile(
            "api_tokens", _("API 令牌"), "portal:api_tokens", _("供小程序等客户端使用"), order=920
        ),
    )

    def register(self) -> None:
        from .services import seed_roles

        registry.register_seed(registry.Seed("roles", seed_roles, order=10))
