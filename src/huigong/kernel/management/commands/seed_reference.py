"""Load the reference data every deployment needs, as the installed apps register it
(roles, the holiday calendar, case categories …). Safe to run again: each seed only
adds what is missing."""

from django.core.management.base import BaseCommand

from huigong.kernel.registry import seeds


class Command(BaseCommand):
    help = "Seed the reference data the installed apps register (idempotent)."

    def handle(self, *args, **options):
        for seed in seeds():
            created = seed.run()
            self.stdout.write(f"{seed.name} created: {created}")
