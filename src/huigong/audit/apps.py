from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry


class AuditConfig(registry.PlatformAppConfig):
    name = "huigong.audit"
    verbose_name = _("审计")
    menu_items = (
        registry.MenuItem(
            "audit",
            pgettext_lazy("workbench menu", "审计"),
            "audit:changes",
            permission="audit.view_audit",
            order=800,
        ),
    )
