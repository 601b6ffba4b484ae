from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HolidaysConfig(AppConfig):
    """The administration of the holiday table (``common.Holiday``): audited saves and
    deletes and their admin. The table and the working-day arithmetic stay in
    ``huigong.common.workdays``, below every app; writing the table is audited, so it
    lives here, above ``audit``."""

    name = "huigong.holidays"
    verbose_name = _("节假日与调休")
