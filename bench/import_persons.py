"""Benchmark P1: a person roster through the import engine, against raw COPY and
django-import-export, in one run.

    python bench/import_persons.py [--rows N] [--formats csv,xlsx] [--iie-rows M] [--json]
    python bench/import_persons.py --rows 1000000        # the province size of issue P1

The database is ``HUIGONG_DATABASE_URL`` (a dedicated one, e.g. ``hg_bench``); without it
a fresh SQLite file under ``var/bench/``. A county with 40 grassroots unions and a county
cadre are created; ``--rows`` roster rows are generated (about 5 % wrong: bad check digit,
unknown union, missing name, a duplicate of an earlier row, bad phone) and written as CSV
and .xlsx. Each format is imported in a child process through the real path — the
engine's check, the confirmation, the engine's import (``imports.engine.run``, what the
Celery worker runs) — and timed end to end; the child reports its own peak memory, and a
second child at a tenth of the rows shows whether memory grows with the file.

Baselines in the same run: ``COPY`` of the already-clean, already-encrypted rows the
engine wrote into the same table (PostgreSQL only), and the same rows through
django-import-export (``pip install -r bench/requirements.txt``; only the first
``--iie-rows`` rows, as it writes one row at a time).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import use_fresh_sqlite_unless_given  # noqa: E402

WORK = ROOT / "var" / "bench" / "import_persons"
HEADER = ["姓名", "身份证号码", "手机号", "所属工会", "住址", "是否会员"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文"
UNIONS = 40


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    os.environ.setdefault("HUIGONG_PRIVATE_MEDIA_ROOT", str(WORK / "private"))
    # As in a production worker: no statement log (with DEBUG, Django keeps the last 9,000
    # statements with their parameters, the staged chunks among them, and memory grows).
    os.environ.setdefault("HUIGONG_DEBUG", "0")
    import django

    django.setup()


# -- data ------------------------------------------------------------------------------------------


def _id_number(serial: int) -> str:
    from stdnum.cn import ric

    birth = f"{1965 + serial % 35}{1 + serial // 35 % 12:02d}{1 + serial // 420 % 28:02d}"
    body = f"430426{birth}{serial // 11760 % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate_rows(total: int, seed: int = 2026) -> list[list[str]]:
    """``total`` roster rows, about 5 % of them wrong in one of five ways."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for serial in range(total):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
        number = _id_number(serial)
        union = f"祁东县第{serial % UNIONS + 1}基层工会"
        row = [name, number, f"139{serial:08d}", union, "祁东县黄土铺镇", rng.choice(["是", "否"])]
        fault = rng.random()
        if fault < 0.01:
            row[1] = number[:-1] + ("0" if number[-1] != "0" else "1")  # check digit
        elif fault < 0.02:
            row[3] = "不存在的工会"
        elif fault < 0.03:
            row[0] = ""
        elif fault < 0.04 and rows:
            row[1] = rows[rng.randrange(len(rows))][1]  # in-file duplicate
        elif fault < 0.05:
            row[2] = "1234"
        rows.append(row)
    return rows


def write_files(rows: list[list[str]]) -> dict[str, Path]:
    from openpyxl import Workbook

    WORK.mkdir(parents=True, exist_ok=True)
    paths = {"csv": WORK / f"roster_{len(rows)}.csv", "xlsx": WORK / f"roster_{len(rows)}.xlsx"}
    with open(paths["csv"], "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(paths["xlsx"])
    return paths


def build_county():
    """A county with ``UNIONS`` grassroots unions and its cadre (idempotent)."""
    from huigong.accounts.models import User
    from huigong.accounts.services import seed_roles
    from huigong.orgs.models import Organization
    from huigong.testing.factories import OrganizationFactory, give_role

    seed_roles()
    existing = User.objects.filter(username="bench-county").first()
    if existing:
        return existing
    province = OrganizationFactory.root(
        name="基准省总工会", kind="province", division_code="430000"
    )
    city = OrganizationFactory.child(
        province, name="基准市总工会", kind="city", division_code="430400"
    )
    county = OrganizationFactory.child(
        city, name="祁东县总工会", kind="county", division_code="430426"
    )
    town = OrganizationFactory.child(county, name="黄土铺镇工会联合会", kind="township")
    for i in range(UNIONS):
        OrganizationFactory.child(
            town, name=f"祁东县第{i + 1}基层工会", kind="grassroots", category="enterprise"
        )
    assert Organization.objects.filter(kind="grassroots").count() == UNIONS
    user = User.objects.create_user(
        username="bench-county", password="bench-bench-2026", name="县干部"
    )
    return give_role(user, "federation_cadre", county)


def _empty_tables() -> None:
    """Remove what an earlier run imported (plain DELETEs: a TRUNCATE … CASCADE of the
    person table would also empty the user table, which refers to persons)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "imports_importissue",
            "imports_importkey",
            "imports_importjob",
            "audit_changelog",
            "people_person",
        ):
            cursor.execute(f"DELETE FROM {table}")


# -- the measured paths ------------------------------------------------------------------------


def run_engine(path: Path) -> dict:
    """The real import path on one file; returns figures and the child's peak memory."""
    from django.core.files import File

    from huigong.imports import engine, services
    from huigong.people.models import Person

    actor = build_county()
    _empty_tables()
    # The phases are run here, one after the other, as the worker would run them; the
    # eager Celery of the embedded default would otherwise run the check inside
    # ``start_import`` and blur the timings.
    services.run_import_job = SimpleNamespace(delay=lambda job_id: None)
    started = time.perf_counter()
    with open(path, "rb") as handle:
        job = services.start_import(
            actor=actor, kind_key="people.person", upload=File(handle, name=path.name)
        )
    stored = time.perf_counter()
    engine.run(job.pk)
    checked = time.perf_counter()
    job.refresh_from_db()
    services.confirm_import(actor=actor, job=job)
    engine.run(job.pk)
    done = time.perf_counter()
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.file_errors)
    assert Person.objects.count() == job.imported_rows
    return {
        "rows": job.total_rows,
        "valid_rows": job.valid_rows,
        "error_rows": job.error_rows,
        "imported_rows": job.imported_rows,
        "store_s": round(stored - started, 2),
        "check_s": round(checked - stored, 2),
        "import_s": round(done - checked, 2),
        "total_s": round(done - started, 2),
        "rows_per_s": round(job.total_rows / (done - started)),
        "imported_per_s": round(job.imported_rows / (done - started)),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def copy_baseline() -> dict | None:
    """COPY the rows the engine wrote (clean, encrypted, hashed) back into the emptied
    table: the speed limit of any import into it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.copy("COPY people_person TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        cursor.execute("SELECT count(*) FROM people_person")
        count = cursor.fetchone()[0]
        cursor.execute("DELETE FROM people_person")
        data = buffer.getvalue()
        started = time.perf_counter()
        with cursor.copy("COPY people_person FROM STDIN") as copy:
            for offset in range(0, len(data), 1 << 20):
                copy.write(data[offset : offset + (1 << 20)])
        seconds = time.perf_counter() - started
    return {"rows": count, "seconds": round(seconds, 2), "rows_per_s": round(count / seconds)}


def iie_baseline(rows: list[list[str]]) -> dict | str:
    """The same rows through django-import-export (one ``save()`` per row)."""
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return "skipped: pip install -r bench/requirements.txt"
    from huigong.orgs.models import Organization
    from huigong.people.models import Person

    class PersonResource(resources.ModelResource):
        organization = fields.Field(
            attribute="organization",
            column_name="organization",
            widget=widgets.ForeignKeyWidget(Organization, "name"),
        )

        class Meta:
            model = Person
            fields = ("name", "id_number", "phone", "organization", "address", "is_member")
            import_id_fields = ()
            use_transactions = False  # keep the valid rows when others fail, as the engine does

    build_county()
    _empty_tables()
    dataset = tablib.Dataset(headers=list(PersonResource.Meta.fields))
    for name, number, phone, union, address, member in rows:
        dataset.append([name, number, phone, union, address, member == "是"])
    started = time.perf_counter()
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.perf_counter() - started
    return {
        "rows": len(rows),
        "imported": Person.objects.count(),
        "errors": len(result.invalid_rows) + len(result.row_errors()),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(rows) / seconds),
    }


# -- driver ----------------------------------------------------------------------------------------


def _child(path: Path) -> dict:
    """Run the engine on ``path`` in a fresh process: its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--iie-rows", type=int, default=2_000)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    use_fresh_sqlite_unless_given("import_persons", WORK / "bench.sqlite3")
    _setup_django()
    if args.child:
        print(json.dumps(run_engine(Path(args.child))))
        return {}

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    build_county()
    rows = generate_rows(args.rows)
    small = max(1000, args.rows // 10)
    files = write_files(rows)
    small_files = write_files(rows[:small])
    figures: dict = {
        "benchmark": "import_persons",
        "database": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rows": args.rows,
    }
    for fmt in [f for f in args.formats.split(",") if f]:
        full = _child(files[fmt])
        tenth = _child(small_files[fmt])
        figures[f"{fmt}_engine"] = full
        figures[f"{fmt}_engine_at_{small}_rows_peak_rss_mib"] = tenth["peak_rss_mib"]
    # The last child left the small file's rows in the table; import the full CSV again
    # in-process so COPY has the same rows the engine wrote.
    run_engine(files["csv"])
    copy = copy_baseline()
    figures["copy_baseline"] = copy or "n/a (PostgreSQL only)"
    iie = iie_baseline(rows[: args.iie_rows])
    figures["django_import_export"] = iie
    csv_rate = figures.get("csv_engine", {}).get("imported_per_s")
    if copy and csv_rate:
        figures["csv_engine_vs_copy"] = round(csv_rate / copy["rows_per_s"], 3)
    if isinstance(iie, dict) and csv_rate:
        figures["csv_engine_vs_django_import_export"] = round(
            figures["csv_engine"]["rows_per_s"] / iie["rows_per_s"], 1
        )
    for key, value in figures.items():
        print(f"{key:48} {value}")
    if args.json:
        print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main()
