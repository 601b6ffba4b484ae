"""Delete uploaded import files that were previewed and never confirmed or cancelled,
once they are older than IMPORT_PREVIEW_MAX_AGE (and any plaintext preview left under
MEDIA_ROOT/imports/ by earlier versions)."""

from django.core.management.base import BaseCommand, CommandError

from huigong.common.previews import clean_import_previews, max_age


class Command(BaseCommand):
    help = "Delete import previews older than HUIGONG_IMPORT_PREVIEW_MAX_AGE (default 1 h)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age-seconds",
            type=int,
            default=None,
            help="keep previews younger than this (default: HUIGONG_IMPORT_PREVIEW_MAX_AGE)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args, **options):
        seconds = options["max_age_seconds"]
        if seconds is None:
            seconds = max_age()
        if not 0 <= seconds <= 366 * 24 * 3600:
            raise CommandError("--max-age-seconds must be between 0 and 31622400")
        result = clean_import_previews(max_age_seconds=seconds, dry_run=options["dry_run"])
        verb = "would delete" if result.dry_run else "deleted"
        for name in result.removed:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(f"scanned: {result.scanned}, {verb}: {len(result.removed)}")
