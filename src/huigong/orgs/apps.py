from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry


class OrgsConfig(registry.PlatformAppConfig):
    name = "huigong.orgs"
    verbose_name = _("组织")
    picker_permissions = (
        "orgs.view_organization",
        "orgs.add_organization",
        "orgs.move_organization",
        "orgs.merge_organization",
    )
    menu_items = (
        registry.MenuItem(
            "orgs",
            pgettext_lazy("workbench menu", "组织"),
            "orgs:list",
            permission="orgs.view_organization",
            order=20,
        ),
    )
