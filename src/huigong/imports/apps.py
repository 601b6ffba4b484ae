from django.utils.translation import gettext_lazy as _

from huigong.kernel import registry


class ImportsConfig(registry.PlatformAppConfig):
    name = "huigong.imports"
    verbose_name = _("数据导入")
    url_prefix = "imports/"
    jobs = (
        # Jobs whose worker died (no heartbeat for IMPORT_STALL_SECONDS) go on from their
        # checkpoint.
        registry.Job("imports-resume-stalled", "huigong.imports.resume_stalled", 60.0),
        # Unconfirmed checks expire; files, keys and row messages of jobs over for
        # IMPORT_PREVIEW_MAX_AGE are deleted.
        registry.Job("imports-clean-finished", "huigong.imports.clean_finished", 3600.0),
    )
