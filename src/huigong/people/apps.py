from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry


class PeopleConfig(registry.PlatformAppConfig):
    name = "huigong.people"
    verbose_name = _("职工")
    picker_permissions = ("people.view_person", "people.add_person", "people.change_person")
    menu_items = (
        registry.MenuItem(
            "people",
            pgettext_lazy("workbench menu", "职工"),
            "people:list",
            permission="people.view_person",
            order=30,
        ),
    )

    def register(self) -> None:
        from huigong.imports.registry import ImportKind, register_import
        from huigong.orgs.dependents import Dependent, register_dependent

        from .imports import PersonImportSpec
        from .models import Person

        register_import(
            ImportKind(
                "people.person",
                PersonImportSpec,
                "people.import_person",
                title=PersonImportSpec.title,
                list_url_name="people:list",
            )
        )

        # The workers registered at an organization: counted on the tree pages, and an
        # organization is not dissolved while any is still registered at it.
        register_dependent(
            Dependent(
                "persons",
                rows=Person.objects.all,
                blocks_dissolve=_("还有 %(n)d 名职工登记在本组织"),
            )
        )
