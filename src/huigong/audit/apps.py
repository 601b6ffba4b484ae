from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "huigong.audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from huigong.kernel import registry

        registry.register_menu_item(
            registry.MenuItem(
                "audit",
                pgettext_lazy("workbench menu", "审计"),
                "audit:changes",
                permission="audit.view_audit",
                order=800,
            )
        )
