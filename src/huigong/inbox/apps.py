from django.utils.translation import gettext_lazy as _

from huigong.kernel import registry


class InboxConfig(registry.PlatformAppConfig):
    """The inbox: the workbench's bell and notification centre, the portal's 消息, and
    each user's notification preferences (the kernel's notifications, shown)."""

    name = "huigong.inbox"
    verbose_name = _("消息")
    url_prefix = "notifications/"
