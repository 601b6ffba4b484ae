from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "huigong.orgs"
    verbose_name = _("组织")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from huigong.kernel import registry

        registry.register_picker_permissions(
            "orgs.view_organization",
            "orgs.add_organization",
            "orgs.move_organization",
            "orgs.merge_organization",
        )

        registry.register_menu_item(
            registry.MenuItem(
                "orgs",
                pgettext_lazy("workbench menu", "组织"),
                "orgs:list",
                permission="orgs.view_organization",
                order=20,
            )
        )
