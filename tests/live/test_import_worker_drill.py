"""The import engine with real processes: a Celery worker on Redis checks and imports a
roster, is killed (SIGKILL) in the middle of the import, and a new worker — given the
job again by the stall sweep — finishes it with every row exactly once.

The site is a migrated demo county on the same kind of database as this test run (a
SQLite file, or a fresh PostgreSQL database); the broker is a Redis database of its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from .server import ROOT, build_site, drop_site

pytestmark = pytest.mark.live

ROWS = 6000  # six chunks of IMPORT_CHUNK_ROWS
BROKER = "redis://127.0.0.1:6379/13"


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("HUIGONG_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip("Redis is not running at 127.0.0.1:6379")


@pytest.fixture
def site(tmp_path):
    _redis_or_skip()
    redis.Redis.from_url(BROKER).flushdb()
    database_url = os.environ.get("HUIGONG_DATABASE_URL") if connection.vendor != "sqlite" else None
    live = build_site(tmp_path, database_url)
    live.env["HUIGONG_CELERY_BROKER_URL"] = BROKER
    try:
        yield live
    finally:
        drop_site(live)
        redis.Redis.from_url(BROKER).flushdb()


def start_worker(site, name: str) -> subprocess.Popen:
    log = open(os.path.join(site.env["HUIGONG_VAR_DIR"], f"{name}.log"), "wb")  # noqa: SIM115
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "huigong",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@drill",
            "--loglevel",
            "INFO",
        ],
        env=site.env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def job_state(site) -> tuple[str, int, int, int, int]:
    rows = site.sql(
        "SELECT state, total_rows, valid_rows, processed_rows, imported_rows FROM imports_importjob"
    )
    return rows[0] if rows else ("", 0, 0, 0, 0)


def wait_for(site, done, what: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = job_state(site)
        if done(state):
            return state
        time.sleep(0.2)
    var = Path(site.env["HUIGONG_VAR_DIR"])
    logs = [path.read_text(errors="replace")[-3000:] for path in sorted(var.glob("*.log"))]
    raise AssertionError(f"timed out waiting for {what}: {job_state(site)}\n" + "\n".join(logs))


def test_a_killed_worker_loses_and_repeats_no_row(site, tmp_path):
    roster = tmp_path / "roster.csv"
    site.python(
        "from stdnum.cn import ric\n"
        "lines = ['姓名,身份证号码,所属工会']\n"
        f"for i in range({ROWS}):\n"
        "    body = '430426' + str(1970 + i % 30) + '%02d' % (1 + i // 30 % 12) + '%02d' % (1 + i // 360 % 28) + '%03d' % (i // 10080 + 500)\n"
        "    lines.append('演练%d,%s,祁东县新发食品有限公司工会' % (i, body + ric.calc_check_digit(body + '0')))\n"
        f"open({str(roster)!r}, 'w', encoding='utf-8-sig').write(chr(10).join(lines) + chr(10))\n"
    )
    first = start_worker(site, "first")
    second = None
    try:
        site.python(
            "from django.core.files import File\n"
            "from huigong.accounts.models import User\n"
            "from huigong.imports.services import start_import\n"
            f"with open({str(roster)!r}, 'rb') as f:\n"
            "    start_import(actor=User.objects.get(username='county'), kind_key='people.person',"
            " upload=File(f, name='roster.csv'))\n"
        )
        checked = wait_for(site, lambda s: s[0] == "checked", "the check")
        assert checked[1:3] == (ROWS, ROWS)
        site.python(
            "from huigong.accounts.models import User\n"
            "from huigong.imports.models import ImportJob\n"
            "from huigong.imports.services import confirm_import\n"
            "confirm_import(actor=User.objects.get(username='county'), job=ImportJob.objects.get())\n"
        )
        wait_for(site, lambda s: s[0] == "importing" and s[3] >= 2000, "two chunks imported")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        state, _total, _valid, processed, imported = job_state(site)
        assert state == "importing" and processed < ROWS
        (persons,) = site.sql("SELECT count(*) FROM people_person WHERE name LIKE '演练%%'")[0]
        assert persons == imported == processed  # nothing of the dead chunk is left

        # The stall sweep gives the job to the next worker once the heartbeat is old.
        site.sql_write(
            "UPDATE imports_importjob SET heartbeat_at = heartbeat_at - interval '10 minutes'"
            if site.vendor == "postgresql"
            else "UPDATE imports_importjob SET heartbeat_at = datetime(heartbeat_at, '-10 minutes')"
        )
        second = start_worker(site, "second")
        queued = site.python(
            "from huigong.imports.tasks import resume_stalled\nprint(resume_stalled())"
        )
        assert queued.splitlines()[-1] == "1"
        done = wait_for(site, lambda s: s[0] == "done", "the resumed import")
        assert done[3:] == (ROWS, ROWS)
        names = site.sql(
            "SELECT count(*), count(DISTINCT id_number_hash) FROM people_person"
            " WHERE name LIKE '演练%%'"
        )[0]
        assert names == (ROWS, ROWS)
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
