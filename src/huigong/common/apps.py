from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "huigong.common"
    verbose_name = _("通用")

    def ready(self):
        from . import checks  # noqa: F401  (registers the production checks)
