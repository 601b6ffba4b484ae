"""Run the deadline sweeps once (for cron where Celery beat does not run): the cases' own
and, since the old crontabs name this command, every other registered sweep too
(``sweep_deadlines`` runs them without the case figures)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huigong.cases.sweep import sweep_case_deadlines
from huigong.kernel.notifications import send_daily_digests
from huigong.kernel.registry import sweeps


class Command(BaseCommand):
    help = "Mark due-soon and overdue cases, escalate overdue ones per rule (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="sweep as of this date (YYYY-MM-DD), default today")
        parser.add_argument(
            "--digests", action="store_true", help="also send today's notification digests"
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2026-03-31")
        result = sweep_case_deadlines(today=today)
        self.stdout.write(
            f"due soon: {result.due_soon}, overdue: {result.overdue}, "
            f"escalated: {result.escalated}, referrals overdue: {result.referrals_overdue}, "
            f"not accepted in time: {result.acceptance_overdue}, "
            f"supervisions unanswered: {result.supervisions_overdue}"
        )
        for sweep in sweeps():
            if sweep.name != "cases.deadlines":
                counts = sweep.run(today=today)
                self.stdout.write(
                    f"{sweep.name}: " + ", ".join(f"{k}: {v}" for k, v in counts.items())
                )
        if options["digests"]:
            self.stdout.write(f"digests sent: {send_daily_digests(today=today)}")
