from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry

_VIEW = ["inspections.view_inspection"]
_MANAGE = [*_VIEW, "inspections.manage_inspection"]


class InspectionsConfig(registry.PlatformAppConfig):
    name = "huigong.inspections"
    verbose_name = _("联合执法检查")
    #: The pages and the API keep the paths (and the API its tags) they had inside cases.
    url_prefix = "cases/inspections/"
    api_prefix = "/cases/"
    api_tags = ("cases", "inspections")
    picker_permissions = ("inspections.view_inspection", "inspections.manage_inspection")
    menu_items = (
        registry.MenuItem(
            "inspections",
            pgettext_lazy("workbench menu", "执法检查"),
            "inspections:list",
            permission="inspections.view_inspection",
            order=50,
        ),
    )
    grants = {
        **dict.fromkeys(("federation_cadre", "township_cadre"), _MANAGE),
        **dict.fromkeys(("station_staff", "grid_officer", "mediator", "auditor"), _VIEW),
    }

    def register(self) -> None:
        from . import actions  # noqa: F401  (declares the campaign's actions to the kernel)
        from .demo import load_inspections
        from .services import mark_overdue_rectifications

        registry.register_sweep(
            registry.Sweep(
                "inspections.rectifications",
                lambda today=None: {"overdue": mark_overdue_rectifications(today=today)},
                _("执法检查整改时限"),
            )
        )
        registry.register_demo_loader(
            registry.DemoLoader("inspections", load_inspections, label="inspections", order=30)
        )
