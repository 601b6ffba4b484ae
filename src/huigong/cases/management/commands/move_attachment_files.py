"""Move attachment files kept the old way (public MEDIA_ROOT, original names) into the
private storage under random names. Migration 0006 does this once; run it again after
putting old files back, e.g. from a backup of the media directory."""

from django.core.management.base import BaseCommand

from huigong.cases.attachment_move import move_legacy_attachment_files


class Command(BaseCommand):
    help = "Move attachment files from MEDIA_ROOT into the private storage under random names."

    def handle(self, *args, **options):
        result = move_legacy_attachment_files()
        for pk, old, new in result.moved:
            self.stdout.write(f"moved attachment {pk}: {old} -> {new}")
        for pk, name in result.missing:
            self.stdout.write(f"missing file of attachment {pk}: {name} (row left as it is)")
        self.stdout.write(
            f"moved: {len(result.moved)}, already private: {result.in_place}, "
            f"missing: {len(result.missing)}"
        )
