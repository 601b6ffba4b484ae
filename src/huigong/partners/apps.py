from django.utils.translation import gettext_lazy as _

from huigong.kernel import registry

_MANAGE = [
    "partners.view_department",
    "partners.manage_department",
    "partners.add_department",
    "partners.change_department",
]
_VIEW = ["partners.view_department"]


class PartnersConfig(registry.PlatformAppConfig):
    name = "huigong.partners"
    verbose_name = _("协作部门")
    #: Partner departments keep the path they had inside cases.
    url_prefix = "cases/departments/"
    picker_permissions = ("partners.manage_department",)
    grants = {
        **dict.fromkeys(("federation_cadre", "township_cadre"), _MANAGE),
        **dict.fromkeys(("station_staff", "grid_officer", "mediator", "auditor"), _VIEW),
    }
