"""``python -m huigong rollup_indicators [--full] [--period KEY ...]``: bring the indicator
snapshots up to date."""

from django.core.management.base import BaseCommand, CommandError

from huigong.kernel.periods import PeriodError, parse_period
from huigong.stats.rollups import rollup_indicators


class Command(BaseCommand):
    help = (
        "Bring the indicator snapshots of every organization up to date for the periods the "
        "dashboard offers: incrementally (only organizations whose rows changed) unless a "
        "full run is due. --full forces one; --period recomputes the given periods."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            action="append",
            dest="periods",
            metavar="KEY",
            help="period key such as 2026, 2026-Q1 or 2026-03 (repeatable)",
        )
        parser.add_argument("--full", action="store_true", help="recompute everything")

    def handle(self, *args, periods=None, full=False, **options):
        parsed = None
        if periods:
            try:
                parsed = [parse_period(key) for key in periods]
            except PeriodError as exc:
                raise CommandError(str(exc))
        run = rollup_indicators(parsed, full=full)
        if run is None:
            self.stdout.write("another rollup was running: nothing written")
            return
        self.stdout.write(
            f"{run.mode} rollup ({run.reason or 'changes only'}): "
            f"{run.organizations} organizations recomputed, "
            f"snapshot rows written: {run.rows_written}, {run.seconds:.2f} s"
        )
