"""Delete attachment files that no attachment row references (left by rolled-back
uploads), older than a grace period."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huigong.kernel.attachments import clean_orphan_files


class Command(BaseCommand):
    help = "Delete orphaned attachment files older than the grace period (default 24 h)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=24.0,
            help="keep files younger than this many hours (default 24)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args, **options):
        hours = options["grace_hours"]
        if not 0 <= hours <= 24 * 365:
            raise CommandError("--grace-hours must be between 0 and 8760")
        result = clean_orphan_files(
            grace=datetime.timedelta(hours=hours), dry_run=options["dry_run"]
        )
        verb = "would delete" if result.dry_run else "deleted"
        for name in result.removed:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(
            f"scanned: {result.scanned}, {verb}: {len(result.removed)} "
            f"({result.bytes_removed} bytes)"
        )
