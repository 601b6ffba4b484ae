from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "huigong.partners"
    verbose_name = _("协作部门")
    #: Partner departments keep the path they had inside cases.
    url_prefix = "cases/departments/"

    def ready(self) -> None:
        from huigong.kernel import registry

        registry.register_picker_permissions("partners.manage_department")

        manage = [
            "partners.view_department",
            "partners.manage_department",
            "partners.add_department",
            "partners.change_department",
        ]
        for role in ("federation_cadre", "township_cadre"):
            registry.grant(role, manage, app="partners")
        for role in ("station_staff", "grid_officer", "mediator", "auditor"):
            registry.grant(role, ["partners.view_department"], app="partners")
