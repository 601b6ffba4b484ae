from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from . import registry


class KernelConfig(registry.PlatformAppConfig):
    name = "huigong.kernel"
    verbose_name = _("平台内核")
    jobs = (
        # Import previews never confirmed, older than IMPORT_PREVIEW_MAX_AGE
        # (common.previews; used by every app's Excel import).
        registry.Job("common-clean-import-previews", "huigong.common.clean_import_previews", 600.0),
        # Files of uploads whose transaction rolled back (no attachment row refers to
        # them), older than a day, of every attachment model.
        registry.Job(
            "kernel-clean-attachment-files",
            "huigong.kernel.clean_attachment_files",
            crontab(hour=3, minute=30),
        ),
        # Proof for /readyz that beat, the broker and a worker all work.
        registry.Job("kernel-worker-heartbeat", "huigong.kernel.worker_heartbeat", 30.0),
        # Notifications to phones and WeChat: retries and the end of quiet hours (new
        # ones are sent as soon as their transaction commits).
        registry.Job("kernel-deliver-notifications", "huigong.kernel.deliver_notifications", 60.0),
        # One digest message per user per day instead of one per event.
        registry.Job(
            "kernel-daily-digests", "huigong.kernel.send_daily_digests", crontab(hour=8, minute=0)
        ),
    )

    def register(self) -> None:
        from huigong.common.workdays import seed_holidays

        registry.register_seed(registry.Seed("holidays", seed_holidays, order=20))
