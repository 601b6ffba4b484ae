"""Load reference data every deployment needs: roles and the holiday calendar.
Safe to run again: it only adds what is missing."""

from django.core.management.base import BaseCommand

from huigong.accounts.services import seed_roles
from huigong.common.workdays import seed_holidays


class Command(BaseCommand):
    help = "Seed roles and the official holiday calendar (idempotent)."

    def handle(self, *args, **options):
        roles = seed_roles()
        self.stdout.write(f"roles created: {roles}")
        holidays = seed_holidays()
        self.stdout.write(f"holiday dates created: {holidays}")
