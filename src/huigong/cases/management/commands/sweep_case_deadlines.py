"""Run the case deadline sweep once (for cron where Celery beat does not run)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huigong.cases.sweep import send_daily_digests, sweep_case_deadlines


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
        if options["digests"]:
            self.stdout.write(f"digests sent: {send_daily_digests(today=today)}")
