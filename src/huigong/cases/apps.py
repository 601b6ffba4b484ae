from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "huigong.cases"
    verbose_name = _("诉求与维权")

    def ready(self) -> None:
        # Declares the years of open case deadlines to the holiday-schedule check.
        from . import sweep  # noqa: F401
