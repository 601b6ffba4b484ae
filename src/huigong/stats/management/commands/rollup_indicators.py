"""``python -m huigong rollup_indicators [--period KEY ...]``: materialize indicator values."""

from django.core.management.base import BaseCommand, CommandError

from huigong.kernel.periods import PeriodError, parse_period
from huigong.stats.services import rollup_indicators


class Command(BaseCommand):
    help = (
        "Store every indicator for every organization with children (IndicatorSnapshot). "
        "Default periods: the current month, quarter and year, and the previous ones until "
        "they have a final snapshot."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            action="append",
            dest="periods",
            metavar="KEY",
            help="period key such as 2026, 2026-Q1 or 2026-03 (repeatable)",
        )

    def handle(self, *args, periods=None, **options):
        parsed = None
        if periods:
            try:
                parsed = [parse_period(key) for key in periods]
            except PeriodError as exc:
                raise CommandError(str(exc))
        written = rollup_indicators(parsed)
        self.stdout.write(f"snapshot rows written: {written}")
