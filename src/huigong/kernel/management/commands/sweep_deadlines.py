"""Run the deadline sweeps the installed apps register, as Celery beat does; for cron
where no beat runs (the embedded default). Safe to run again."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huigong.kernel.registry import get_sweep, sweeps


class Command(BaseCommand):
    help = "Run the registered deadline sweeps (all, or those named with --only)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="sweep as of this day (YYYY-MM-DD), default today")
        parser.add_argument("--only", action="append", default=[], help="a sweep's name")

    def handle(self, *args, date=None, only=(), **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date must look like 2026-03-31") from None
        try:
            chosen = [get_sweep(name) for name in only] if only else sweeps()
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        for sweep in chosen:
            counts = sweep.run(today=today)
            figures = ", ".join(f"{k}: {v}" for k, v in counts.items())
            self.stdout.write(f"{sweep.name}: {figures}")
