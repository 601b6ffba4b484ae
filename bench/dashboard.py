"""Benchmark P2: the dashboard served from rollups against the same tab computed live.

    python bench/dashboard.py [--counties 2] [--townships 20] [--units 50] [--persons 100]
                              [--cases 60000] [--repeat 5] [--live-repeat 3] [--json]
    python bench/dashboard.py --province      # 10 M persons, 3 M cases (hours to generate)
    python bench/dashboard.py --reuse         # measure again on data generated before

The database is ``HUIGONG_DATABASE_URL`` (a dedicated one, e.g. ``hg_bench_rollup``);
without it, a fresh SQLite file ``var/bench/dashboard.sqlite3``. After migrating, the
benchmark generates synthetic counties (``huigong.demo.scale``) with registration dates
spread over 30 months, and here cases over two years at unions, townships and counties
(accepted, resolved, rated, overdue; escalation and reopening events; mediations) and a
few joint inspections per township.

Measured for every tab (``all_sections()``) at the synthetic province, a county, a
township and a grassroots union (a leaf), as a cadre with a role at the province, this
month: ``build_dashboard`` from the rollup and live (the baseline, same run; medians of
``--repeat`` / ``--live-repeat``) and whether both show the same figures; the real view
(``GET /stats/``, in-process: server time with middleware, session and template), both
ways; the rows live reads there and the crossover (``STATS_LIVE_MAX_ROWS``); the first
full rollup, and after a small change (cases added, resolved and escalated, persons added
and deleted) the incremental rollup, then a forced full one.

Targets (issue 9, P2): the view from the rollup in ≤ 100 ms and ≥ 50× faster than live —
at province scale (``--province``); computed and printed for every row.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import database_version, use_fresh_sqlite_unless_given  # noqa: E402

TARGET_MS, TARGET_SPEEDUP = 100.0, 50.0
PROVINCE = {"counties": 100, "townships": 20, "units": 50, "persons": 100, "cases": 3_000_000}
BATCH = 5000


def _median_ms(func, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(max(repeat, 1)):
        started = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, value


# --- data --------------------------------------------------------------------------------


class Generator:
    """Cases, events, mediations and inspections over the synthetic counties, in bulk.
    Dates are spread backwards from now so that every period of the window has rows."""

    def __init__(self, seed: int = 2026) -> None:
        from django.utils import timezone

        from huigong.demo.scale import synthetic_city
        from huigong.orgs.models import Organization

        self.rng = random.Random(seed)
        self.now = timezone.now()
        city = synthetic_city()
        rows = Organization.objects.filter(path__startswith=city.path).values_list("id", "depth")
        by_depth: dict[int, list[int]] = {}
        for org_id, depth in rows:
            by_depth.setdefault(depth, []).append(org_id)
        self.counties = by_depth.get(city.depth + 1, [])
        self.townships = by_depth.get(city.depth + 2, [])
        self.units = by_depth.get(city.depth + 3, [])
        self.leaf_depth = city.depth + 3
        self.province_id = Organization.objects.get(path=city.path[: Organization.steplen]).pk

    def _when(self, days: int = 730) -> datetime.datetime:
        return self.now - datetime.timedelta(seconds=self.rng.uniform(60, days * 86400))

    def spread_dates(self) -> None:
        """Registration dates over 30 months (bulk inserts stamp them all "now"), and
        organizations that exist in every period."""
        from django.db.models import Max, Min

        from huigong.demo.scale import synthetic_city
        from huigong.orgs.models import Organization
        from huigong.people.models import Person

        city = synthetic_city()
        Organization.objects.filter(path__startswith=city.path[:4]).update(
            created_at=self.now - datetime.timedelta(days=2000)
        )
        persons = Person.objects.filter(organization__path__startswith=city.path)
        low, high = persons.aggregate(low=Min("id"), high=Max("id")).values()
        if low is None:
            return
        step = (high - low) // 30 + 1
        for month in range(30):
            start = low + month * step
            Person.objects.filter(id__gte=start, id__lt=start + step).update(
                created_at=self.now - datetime.timedelta(days=30 * (29 - month) + 1)
            )

    def categories(self) -> list[int]:
        from huigong.cases.models import CaseCategory

        names = ["欠薪", "工伤", "劳动合同", "社会保险", "休息休假", "职业病", "就业", "其他"]
        ids = []
        for i, name in enumerate(names):
            category = CaseCategory.objects.filter(code=f"bench{i}").first()
            if category is None:
                category = CaseCategory.objects.add_root(
                    instance=CaseCategory(code=f"bench{i}", name=f"{name}(测试)")
                )
            ids.append(category.pk)
        return ids

    def _organization(self) -> int:
        roll = self.rng.random()
        pool = self.units if roll < 0.85 else self.townships if roll < 0.97 else self.counties
        return self.rng.choice(pool)

    def case(self, number: str, categories: list[int], received=None):
        from huigong.cases.models import Case, CaseKind, CaseStatus, Channel, Satisfaction

        rng = self.rng
        received = received or self._when()
        fields = {
            "province_id": self.province_id,
            "organization_id": self._organization(),
            "number": number,
            "kind": rng.choice(CaseKind.values),
            "category_id": rng.choice(categories),
            "channel": rng.choice(Channel.values),
            "title": "测试诉求",
            "description": "基准测试生成的诉求。",
            "received_at": received,
            "accept_due": (received + datetime.timedelta(days=1)).date(),
            "due_date": (received + datetime.timedelta(days=10)).date(),
            "status": CaseStatus.NEW,
        }
        if rng.random() < 0.9:
            accepted = received + datetime.timedelta(hours=rng.uniform(1, 60))
            fields.update(
                status=CaseStatus.ACCEPTED,
                accepted_at=min(accepted, self.now),
                accepted_on_time=rng.random() < 0.85,
            )
            if rng.random() < 0.75:
                resolved = accepted + datetime.timedelta(days=rng.uniform(1, 20))
                if resolved < self.now:
                    fields.update(
                        status=CaseStatus.RESOLVED,
                        resolved_at=resolved,
                        resolved_on_time=rng.random() < 0.8,
                        working_days_to_resolve=rng.randint(1, 15),
                        amount_recovered=Decimal(rng.randint(0, 50000)),
                        workers_benefited=rng.randint(1, 30),
                    )
                    if rng.random() < 0.6 and resolved + datetime.timedelta(days=2) < self.now:
                        fields.update(
                            satisfaction=rng.choice(Satisfaction.values),
                            rated_at=resolved + datetime.timedelta(days=2),
                        )
            elif fields["due_date"] < self.now.date():
                fields["is_overdue"] = True
        return Case(**fields)

    def cases(self, count: int, first: int = 0) -> int:
        from django.db import transaction

        from huigong.cases.models import Case, CaseEvent, EventKind, Mediation

        categories = self.categories()
        written = 0
        for start in range(first, first + count, BATCH):
            size = min(BATCH, first + count - start)
            with transaction.atomic():
                batch = Case.objects.bulk_create(
                    [self.case(f"BENCH{start + i:09d}", categories) for i in range(size)]
                )
                events, mediations = [], []
                for case in batch:
                    roll = self.rng.random()
                    if roll < 0.06:
                        kind = EventKind.ESCALATED if roll < 0.04 else EventKind.REOPENED
                        when = case.received_at + datetime.timedelta(days=self.rng.uniform(1, 9))
                        events.append(CaseEvent(case=case, kind=kind, time=min(when, self.now)))
                    if roll > 0.98:
                        mediations.append(self._mediation(case))
                CaseEvent.objects.bulk_create(events)
                Mediation.objects.bulk_create(mediations)
            written += size
        return written

    def _mediation(self, case):
        from huigong.cases.models import Mediation

        ended = case.received_at + datetime.timedelta(days=self.rng.uniform(5, 30))
        fields = {}
        if ended < self.now:
            if self.rng.random() < 0.7:
                fields.update(status="agreement", agreed_at=ended, ended_at=ended)
            else:
                fields.update(status="no_agreement", referred_to="arbitration", ended_at=ended)
        return Mediation(
            case=case,
            organization_id=case.organization_id,
            number=f"M{case.number}",
            respondent_name="测试用人单位",
            opened_at=case.received_at,
            **fields,
        )

    def inspections(self, per_township: int = 2) -> int:
        from huigong.inspections.models import (
            Inspection,
            InspectionFinding,
            InspectionTarget,
            RectificationOrder,
        )

        rng, written = self.rng, 0
        for org_id in self.townships:
            for n in range(per_township):
                start = self._when(700).date()
                inspection = Inspection.objects.create(
                    organization_id=org_id,
                    name=f"联合执法检查{n + 1}",
                    start_date=start,
                    end_date=start + datetime.timedelta(days=5),
                    status=rng.choice(["in_progress", "finished", "finished", "cancelled"]),
                )
                targets = InspectionTarget.objects.bulk_create(
                    InspectionTarget(
                        inspection=inspection,
                        name=f"检查对象{t}",
                        visited_on=start + datetime.timedelta(days=t % 5),
                    )
                    for t in range(4)
                )
                findings = InspectionFinding.objects.bulk_create(
                    InspectionFinding(
                        target=target,
                        kind=rng.choice(["no_contract", "wage_arrears", "overtime", "safety"]),
                        description="检查发现的问题",
                        recorded_at=self.now.replace(year=start.year, month=start.month, day=1),
                    )
                    for target in targets
                )
                RectificationOrder.objects.bulk_create(
                    self._order(finding, start) for finding in findings
                )
                written += 1 + len(targets) + 2 * len(findings)
        return written

    def _order(self, finding, start: datetime.date):
        from huigong.inspections.models import RectificationOrder

        issued = self.now.replace(year=start.year, month=start.month, day=2)
        fields = {}
        if self.rng.random() < 0.6:
            fields = {
                "status": "rectified",
                "rectified_at": issued + datetime.timedelta(days=10),
                "rectified_on_time": self.rng.random() < 0.8,
                "contracts_signed": self.rng.randint(0, 20),
                "workers_insured": self.rng.randint(0, 40),
                "amount_recovered": Decimal(self.rng.randint(0, 90000)),
            }
        return RectificationOrder(
            finding=finding,
            requirement="限期整改",
            due_date=(issued + datetime.timedelta(days=15)).date(),
            issued_at=issued,
            **fields,
        )

    def small_change(self) -> dict:
        """What a busy quarter of an hour brings: cases received, resolved and moved,
        persons registered and removed."""
        from django.db import transaction
        from django.utils import timezone

        from huigong.cases.models import Case
        from huigong.cases.services.escalation import escalate_to_parent
        from huigong.demo.scale import CAPACITY, synthetic_id_number
        from huigong.people.models import Person

        rng, now = self.rng, timezone.now()
        categories = self.categories()
        done = Case.objects.filter(number__startswith="BENCHNEW").count()
        Case.objects.bulk_create(
            self.case(f"BENCHNEW{done + i:06d}", categories, now - datetime.timedelta(minutes=i))
            for i in range(1, 21)
        )
        in_hand = Case.objects.filter(status="accepted", organization__depth=self.leaf_depth)
        in_hand = list(in_hand.select_related("organization").order_by("-id")[:23])
        for case in in_hand[:20]:  # resolved, as the resolving service leaves them
            case.resolve()
            case.resolved_at, case.resolved_on_time, case.working_days_to_resolve = now, True, 3
            case.save()
        for case in in_hand[20:]:  # escalated to their township by the real service
            with transaction.atomic():
                locked = Case.objects.select_for_update().get(pk=case.pk)
                escalate_to_parent(locked, actor=None, reason="基准测试", automatic=False)
        # Numbered down from the last synthetic ID number: never one the counties use.
        index = CAPACITY - 1 - Person.objects.filter(name="新登记职工").count()
        persons = [
            Person(
                organization_id=rng.choice(self.units),
                name="新登记职工",
                id_number=synthetic_id_number(index - i),
                phone=f"139{(index - i) % 10**8:08d}",
            )
            for i in range(50)
        ]
        Person.objects.bulk_create(Person.prepare_bulk(persons, validated=True))
        gone = list(Person.objects.order_by("id").values_list("id", flat=True)[:5])
        Person.objects.filter(id__in=gone).delete()
        return {"cases_added": 20, "resolved": 20, "moved": 3, "persons_added": 50, "deleted": 5}


def generate(args) -> dict:
    from huigong.demo.scale import generate_counties

    started = time.perf_counter()
    result = generate_counties(
        args.counties,
        townships=args.townships,
        units_per_township=args.units,
        persons_per_unit=args.persons,
    )
    generator = Generator()
    generator.spread_dates()
    cases = generator.cases(args.cases)
    inspection_rows = generator.inspections()
    return {
        "organizations": result.organizations,
        "persons": result.persons,
        "cases": cases,
        "inspection_rows": inspection_rows,
        "generate_seconds": round(time.perf_counter() - started, 1),
    }


# --- measurements -------------------------------------------------------------------------


def _cadre(province):
    from huigong.accounts.models import Role, RoleAssignment, User
    from huigong.accounts.services import seed_roles

    seed_roles()
    user, created = User.objects.get_or_create(
        username="bench-province", defaults={"name": "省总工会干部(测试)"}
    )
    if created:
        RoleAssignment.objects.create(
            user=user, role=Role.objects.get(code="federation_cadre"), organization=province
        )
    return user


def _levels():
    """The synthetic province, and its first county, township and grassroots union."""
    from huigong.demo.scale import synthetic_city
    from huigong.orgs.models import Organization

    org = synthetic_city()
    province = Organization.objects.get(path=org.path[: Organization.steplen])
    levels = [("province", province)]
    for level in ("county", "township", "leaf"):
        children = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        org = children.order_by("path").first()
        levels.append((level, org))
    return province, levels


def _set_threshold(value: int) -> None:
    from django.conf import settings

    settings.STATS_LIVE_MAX_ROWS = value


def _view_ms(client, org, section, period, repeat: int, expect: str) -> float:
    params = {"org": org.pk, "section": section.key, "period": period.key}

    def get():
        response = client.get("/stats/", params)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    get()  # warm-up: the first request of a page compiles its templates
    ms, html = _median_ms(get, repeat)
    assert f'data-source="{expect}"' in html, f"{org} {section.key}: not {expect}"
    return ms


def measure(args, user, levels) -> list[dict]:
    from django.test import Client

    from huigong.kernel.periods import current_period
    from huigong.stats.models import RollupState
    from huigong.stats.services import (
        base_indicators,
        build_dashboard,
        items_for,
        live_rows,
        sections_for,
    )

    period = current_period()
    client = Client()
    client.force_login(user)
    results = []
    for level, org in levels:
        sizes = RollupState.objects.get(organization_id=org.pk).subtree_rows
        for section in sections_for(user, org):
            rows = live_rows(base_indicators(items_for(user, org, section)), sizes)

            def board(section=section, org=org):
                return build_dashboard(user=user, org=org, period=period, section=section)

            _set_threshold(0)
            board()  # warm-up
            rollup_ms, snap = _median_ms(board, args.repeat)
            view_rollup = _view_ms(client, org, section, period, args.repeat, "snapshot")
            _set_threshold(10**15)
            live_ms, live = _median_ms(board, args.live_repeat)
            view_live = _view_ms(client, org, section, period, args.live_repeat, "live")
            assert (snap.source, live.source) == ("snapshot", "live")
            results.append(
                {
                    "level": level,
                    "section": section.key,
                    "live_rows": rows,
                    "live_ms": round(live_ms, 1),
                    "rollup_ms": round(rollup_ms, 1),
                    "view_live_ms": round(view_live, 1),
                    "view_rollup_ms": round(view_rollup, 1),
                    "build_speedup": round(live_ms / rollup_ms, 1),
                    "speedup": round(view_live / view_rollup, 1),
                    "equal": snap.table() == live.table()
                    and [(c.value, c.previous) for c in snap.cards]
                    == [(c.value, c.previous) for c in live.cards],
                }
            )
    return results


def crossover(results: list[dict]) -> tuple[int, str]:
    """The ``STATS_LIVE_MAX_ROWS`` the measurements support — the most rows read live
    where live cost no more than the rollup read — and how it was found."""
    cheap = [r["live_rows"] for r in results if r["live_ms"] <= r["rollup_ms"]]
    dear = [r["live_rows"] for r in results if r["live_ms"] > r["rollup_ms"]]
    if not cheap:
        return 0, f"live dearer everywhere measured, even at {min(dear)} rows"
    below = [n for n in dear if n > max(cheap)]
    upper = f", dearer from {min(below)} rows" if below else ""
    return max(cheap) + 1, f"live as cheap up to {max(cheap)} rows{upper}"


def equal_after_change(user, levels) -> bool:
    """Snapshot figures equal live ones after the incremental run, at every level and tab."""
    from huigong.kernel.periods import PeriodUnit, current_period
    from huigong.stats.services import build_dashboard, sections_for

    same = True
    for _level, org in levels:
        for period in (current_period(), current_period(PeriodUnit.YEAR)):
            for section in sections_for(user, org):
                boards = []
                for threshold in (0, 10**15):
                    _set_threshold(threshold)
                    boards.append(
                        build_dashboard(user=user, org=org, period=period, section=section)
                    )
                snap, live = boards
                same &= snap.source == "snapshot" and snap.table() == live.table()
    return same


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=2)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--units", type=int, default=50, help="grassroots unions per township")
    parser.add_argument("--persons", type=int, default=100, help="persons per grassroots union")
    parser.add_argument("--cases", type=int, default=60_000)
    parser.add_argument("--province", action="store_true", help="10 M persons, 3 M cases")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls from the rollup")
    parser.add_argument("--live-repeat", type=int, default=3, help="timed live calls")
    parser.add_argument("--reuse", action="store_true", help="keep data generated before")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    if args.province:
        for key, value in PROVINCE.items():
            setattr(args, key, value)
        args.live_repeat = min(args.live_repeat, 1)

    if not args.reuse:
        use_fresh_sqlite_unless_given("dashboard")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from huigong.demo.scale import SYNTHETIC_PROVINCE
    from huigong.orgs.models import Organization
    from huigong.stats.rollups import rollup_indicators

    # Production-like: no query log (DEBUG keeps every statement), the test client's host.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    figures: dict = {
        "benchmark": "dashboard",
        "database": database_version(connection),
        "python": platform.python_version(),
    }
    if args.reuse and Organization.objects.filter(name=SYNTHETIC_PROVINCE).exists():
        figures["generated"] = "reused"
    else:
        figures.update(generate(args))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    first = rollup_indicators(full=True)
    figures.update(
        first_full_rollup_s=first.seconds,
        snapshot_rows=first.rows_written,
    )
    province, levels = _levels()
    user = _cadre(province)
    results = measure(args, user, levels)

    generator = Generator(seed=7)
    figures["change"] = generator.small_change()
    incremental = rollup_indicators()
    figures.update(
        incremental_mode=incremental.mode,
        incremental_organizations=incremental.organizations,
        incremental_rows=incremental.rows_written,
        incremental_rollup_s=incremental.seconds,
        equal_after_incremental=equal_after_change(user, levels),
    )
    full = rollup_indicators(full=True)
    figures.update(
        full_rollup_s=full.seconds,
        incremental_speedup=round(full.seconds / max(incremental.seconds, 1e-3), 1),
    )
    figures["live_max_rows"], figures["crossover"] = crossover(results)
    figures["results"] = results
    _print(figures, results)
    return figures


def _print(figures: dict, results: list[dict]) -> None:
    for key, value in figures.items():
        if key not in ("results",):
            print(f"{key:<26}  {value}")
    print()
    header = (
        f"{'level':<9}{'tab':<13}{'live rows':>10}{'live ms':>9}{'rollup ms':>10}{'×':>7}"
        f"{'view live':>10}{'view rollup':>12}{'×':>7}  ≤{TARGET_MS:.0f} ms  "
        f"≥{TARGET_SPEEDUP:.0f}×     equal"
    )
    print(header)
    for r in results:
        fast = "met" if r["view_rollup_ms"] <= TARGET_MS else "NOT met"
        ratio = "met" if r["speedup"] >= TARGET_SPEEDUP else "not met"
        print(
            f"{r['level']:<9}{r['section']:<13}{r['live_rows']:>10}{r['live_ms']:>9}"
            f"{r['rollup_ms']:>10}{r['build_speedup']:>6}×{r['view_live_ms']:>10}"
            f"{r['view_rollup_ms']:>12}{r['speedup']:>6}×  {fast:<7}  {ratio:<7}  "
            f"{'yes' if r['equal'] else 'NO'}"
        )
    slowest = max(r["view_rollup_ms"] for r in results)
    province = [r for r in results if r["level"] == "province"]
    print()
    print(
        f"target ≤ {TARGET_MS:.0f} ms (view, from the rollup): "
        f"{'met' if slowest <= TARGET_MS else 'not met'} — slowest {slowest} ms"
    )
    least = min(r["speedup"] for r in province)
    print(
        f"target ≥ {TARGET_SPEEDUP:.0f}× at the province: "
        f"{'met' if least >= TARGET_SPEEDUP else 'not met'} — least {least}× "
        "(the target is set for province scale, --province)"
    )
    print(f"all figures equal live: {'yes' if all(r['equal'] for r in results) else 'NO'}")


if __name__ == "__main__":
    result = main()
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, default=str))
