from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionsConfig(AppConfig):
    name = "huigong.inspections"
    verbose_name = _("联合执法检查")
    #: The pages and the API keep the paths (and the API its tags) they had inside cases.
    url_prefix = "cases/inspections/"
    api_prefix = "/cases/"
    api_tags = ("cases", "inspections")

    def ready(self) -> None:
        from huigong.kernel import registry

        registry.register_picker_permissions(
            "inspections.view_inspection", "inspections.manage_inspection"
        )

        from . import actions  # noqa: F401  (declares the campaign's actions to the kernel)
        from .demo import load_inspections
        from .services import VIEW_INSPECTION, mark_overdue_rectifications

        registry.register_menu_item(
            registry.MenuItem(
                "inspections",
                pgettext_lazy("workbench menu", "执法检查"),
                "inspections:list",
                permission=VIEW_INSPECTION,
                order=50,
            )
        )
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

        view = ["inspections.view_inspection"]
        manage = [*view, "inspections.manage_inspection"]
        for role in ("federation_cadre", "township_cadre"):
            registry.grant(role, manage, app="inspections")
        for role in ("station_staff", "grid_officer", "mediator", "auditor"):
            registry.grant(role, view, app="inspections")
