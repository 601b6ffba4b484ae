"""``python -m huigong demo``: load the demo county, or generate synthetic counties.

    demo               load the 祁东县 demo county (refused when it is already loaded)
    demo --if-empty    load it only into a database without organizations (``make run``)
    demo --scale N     add N synthetic counties in bulk, for load tests

The demo accounts are printed at the end in every case.
"""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse

from huigong.demo.scale import ScaleResult, generate_counties
from huigong.demo.services import demo_account_rows, demo_is_loaded, load_demo
from huigong.orgs.models import Organization


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/"


def _width(text: str) -> int:
    """Columns taken on a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(row):
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


class Command(BaseCommand):
    help = "Load the 祁东县 demo county (or synthetic counties with --scale) and print the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo county only when there are no organizations yet.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Generate N synthetic counties in bulk instead of the demo county.",
        )
        parser.add_argument("--townships", type=int, default=25, help="Townships per county.")
        parser.add_argument("--units", type=int, default=40, help="Grassroots unions per township.")
        parser.add_argument("--persons", type=int, default=20, help="Persons per grassroots union.")

    def handle(self, *args, **options):
        if options["scale"] is not None:
            self._scale(options)
        elif options["if_empty"] and Organization.objects.exists():
            self.stdout.write("Organizations exist already: the demo county was not loaded.")
        elif demo_is_loaded():
            raise CommandError("The demo county is loaded already.")
        else:
            summary = load_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo county loaded: {summary.organizations} organizations, "
                    f"{summary.persons} persons, {summary.household_members} household "
                    f"members, {summary.grids} grids, {summary.users} accounts"
                    + "".join(f", {n} {label}" for label, n in summary.loaded.items())
                    + "."
                )
            )
        self._print_accounts()

    def _scale(self, options) -> None:
        counties = options["scale"]
        for name in ("scale", "townships", "units", "persons"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")

        def progress(result: ScaleResult) -> None:
            self.stdout.write(
                f"  county {result.counties}/{counties}: {result.organizations} organizations, "
                f"{result.persons} persons, {result.rows_per_second:,.0f} rows/s"
            )

        result = generate_counties(
            counties,
            townships=options["townships"],
            units_per_township=options["units"],
            persons_per_unit=options["persons"],
            progress=progress if options["verbosity"] >= 1 else None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.counties} counties: {result.organizations} organizations "
                f"and {result.persons} persons in {result.seconds:.1f} s "
                f"({result.rows_per_second:,.0f} rows/s)."
            )
        )

    def _print_accounts(self) -> None:
        rows = demo_account_rows()
        if not rows:
            self.stdout.write("No demo accounts in this database.")
            return
        self.stdout.write(
            f"\nDemo accounts (staff sign in at {_url('accounts:login')}, "
            f"the worker with the phone number at {_url('portal:login')}):"
        )
        self.stdout.write(_table(("username", "password", "role", "organization"), rows))
