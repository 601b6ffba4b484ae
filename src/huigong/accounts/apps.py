from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "huigong.accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from huigong.kernel import registry

        registry.register_menu_item(
            registry.MenuItem(
                "admin",
                pgettext_lazy("workbench menu", "系统配置"),
                "admin:index",
                allowed=lambda user: user.is_superuser,
                order=900,
            )
        )
        for key, label, url_name, description, order in (
            ("me", _("我的信息"), "portal:me", _("手机号、所在工会和会员状态"), 900),
            ("password", _("修改密码"), "portal:password_change", _("更换登录密码"), 910),
            ("api_tokens", _("API 令牌"), "portal:api_tokens", _("供小程序等客户端使用"), 920),
        ):
            registry.register_tile(registry.Tile(key, label, url_name, description, order=order))

        from .services import seed_roles

        registry.register_seed(registry.Seed("roles", seed_roles, order=10))
