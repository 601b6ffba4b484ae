"""Load reference data every deployment needs: roles, the holiday calendar and the case
categories. Safe to run again: it only adds what is missing."""

from django.core.management.base import BaseCommand

from huigong.accounts.services import seed_roles
from huigong.cases.services import seed_categories
from huigong.common.workdays import seed_holidays


class Command(BaseCommand):
    help = "Seed roles, the official holiday calendar and case categories (idempotent)."

    def handle(self, *args, **options):
        roles = seed_roles()
        self.stdout.write(f"roles created: {roles}")
        holidays = seed_holidays()
        self.stdout.write(f"holiday dates created: {holidays}")
        categories = seed_categories()
        self.stdout.write(f"case categories created: {categories}")
