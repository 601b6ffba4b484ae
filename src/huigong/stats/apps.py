from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huigong.kernel import registry


class StatsConfig(registry.PlatformAppConfig):
    name = "huigong.stats"
    verbose_name = _("统计")
    menu_items = (
        registry.MenuItem(
            "stats",
            pgettext_lazy("workbench menu", "统计"),
            "stats:dashboard",
            allowed=lambda user: not user.is_worker,
            order=10,
        ),
    )
    jobs = (
        # Materialized dashboard figures (stats.rollups): every ten minutes, recomputing
        # only the organizations whose rows changed (a full run once a day or when the
        # tree changes). Dashboards fall back to live counts when the snapshots are older
        # than STATS_SNAPSHOT_MAX_AGE.
        registry.Job("stats-rollup-indicators", "huigong.stats.rollup_indicators", 600.0),
    )

    def register(self) -> None:
        from huigong.kernel.indicators import autodiscover

        autodiscover()
