"""Delete attachment files that no attachment row references (left by rolled-back
uploads), older than a grace period."""

import datetime

from huigong.common.management.cleanup import FileCleanupCommand
from huigong.kernel.attachments import clean_orphan_files


class Command(FileCleanupCommand):
    help = "Delete orphaned attachment files older than the grace period (default 24 h)."
    age_option = "--grace-hours"
    age_default = 24.0
    age_help = "keep files younger than this many hours (default 24)"
    age_max = 24 * 365

    def clean(self, age, *, dry_run):
        return clean_orphan_files(grace=datetime.timedelta(hours=age), dry_run=dry_run)

    def summary(self, result, verb):
        return f"{super().summary(result, verb)} ({result.bytes_removed} bytes)"
