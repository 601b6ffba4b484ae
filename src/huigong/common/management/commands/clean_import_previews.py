"""Delete uploaded import files that were previewed and never confirmed or cancelled,
once they are older than IMPORT_PREVIEW_MAX_AGE (and any plaintext preview left under
MEDIA_ROOT/imports/ by earlier versions)."""

from huigong.common.management.cleanup import FileCleanupCommand
from huigong.common.previews import clean_import_previews, max_age


class Command(FileCleanupCommand):
    help = "Delete import previews older than HUIGONG_IMPORT_PREVIEW_MAX_AGE (default 1 h)."
    age_option = "--max-age-seconds"
    age_type = int
    age_help = "keep previews younger than this (default: HUIGONG_IMPORT_PREVIEW_MAX_AGE)"
    age_max = 366 * 24 * 3600

    def default_age(self):
        return max_age()

    def clean(self, age, *, dry_run):
        return clean_import_previews(max_age_seconds=age, dry_run=dry_run)
