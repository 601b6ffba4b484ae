from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "huigong.imports"
    verbose_name = _("数据导入")
    url_prefix = "imports/"

    def ready(self) -> None:
        from huigong.kernel import registry

        # Jobs whose worker died (no heartbeat for IMPORT_STALL_SECONDS) go on from their
        # checkpoint; finished jobs' files and keys are removed after IMPORT_KEEP_DAYS.
        registry.register_job(
            registry.Job("imports-resume-stalled", "huigong.imports.resume_stalled", 60.0)
        )
        registry.register_job(
            registry.Job("imports-clean-finished", "huigong.imports.clean_finished", 3600.0)
        )
