from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "huigong.stats"
    verbose_name = _("统计")

    def ready(self):
        from huigong.kernel.indicators import autodiscover

        autodiscover()

        from django.utils.translation import pgettext_lazy

        from huigong.kernel import registry

        registry.register_menu_item(
            registry.MenuItem(
                "stats",
                pgettext_lazy("workbench menu", "统计"),
                "stats:dashboard",
                allowed=lambda user: not user.is_worker,
                order=10,
            )
        )
        # Materialized dashboard figures (stats.services); dashboards fall back to live
        # counts when the snapshots are older than STATS_SNAPSHOT_MAX_AGE.
        registry.register_job(
            registry.Job("stats-rollup-indicators", "huigong.stats.rollup_indicators", 3600.0)
        )
