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

    def register(self) -> None:
        from huigong.imports.registry import ImportKind, register_import

        from .imports import OrganizationImportSpec

        # Rows may name parents defined earlier in the same file, so an interrupted check
        # starts over from the first row.
        register_import(
            ImportKind(
                "orgs.organization",
                OrganizationImportSpec,
                "orgs.import_organization",
                title=OrganizationImportSpec.title,
                list_url_name="orgs:list",
                check_restarts=True,
            )
        )
