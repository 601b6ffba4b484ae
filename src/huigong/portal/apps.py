from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "huigong.portal"
    verbose_name = _("职工门户")
    url_prefix = "m/"
