"""Re-encrypt every protected value with the newest key after a key rotation.

Rotation: put the new Fernet key first (``HUIGONG_ENCRYPTION_KEYS="new,old"``), restart,
run this command, then drop the old key. Values are read with any configured key and
written back with the first one; lookup hashes do not change.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from huigong.common.keycheck import encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt protected personal data with the first key of HUIGONG_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        for model, names in encrypted_fields():
            done = 0
            batch = []
            # Primary-key order, read in chunks: memory stays flat on millions of rows.
            for obj in (
                model._base_manager.order_by("pk")
                .only("pk", *names)
                .iterator(chunk_size=batch_size)
            ):
                batch.append(obj)
                if len(batch) >= batch_size:
                    done += self._write(model, batch, names)
                    batch = []
            if batch:
                done += self._write(model, batch, names)
            self.stdout.write(f"{model._meta.label}: {done} rows re-encrypted ({', '.join(names)})")

    @staticmethod
    def _write(model, batch, names) -> int:
        with transaction.atomic():
            model._base_manager.bulk_update(batch, names)
        return len(batch)
