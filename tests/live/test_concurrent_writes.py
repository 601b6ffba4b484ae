"""Many clients writing at once to a real server: every write is committed, or answered
with a clear, retryable error that changed nothing — never a 500, never a lost submission.

One run fires, at the same instant, a worker's portal submissions, a cadre's API edits of
the same and of different persons, and household members added and deleted over the API.
The server is gunicorn with two workers of four threads (as `make run` starts it), on a SQLite file (the embedded
default) or on PostgreSQL.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from huigong.common.busy import BUSY_CODE

from .server import build_site, csrf_form_token, drop_site

pytestmark = pytest.mark.live

WORKER_PHONE = "13807340001"  # 肖华清 in the demo county
SUBMISSIONS = 20
PATCHES = 12
HOUSEHOLD_ADDS = 6
HOUSEHOLD_DELETES = 6
MAX_ATTEMPTS = 5


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """One demo county for the module, on the same kind of database as this test run."""
    database_url = os.environ.get("HUIGONG_DATABASE_URL") if connection.vendor != "sqlite" else None
    live = build_site(tmp_path_factory.mktemp("live"), database_url)
    try:
        yield live
    finally:
        drop_site(live)


@pytest.fixture
def site(demo_site):
    demo_site.start()
    try:
        yield demo_site
    finally:
        demo_site.stop()


class Outcome:
    """What one client saw: every attempt's status, and whether it finally went through."""

    def __init__(self, label: str):
        self.label = label
        self.statuses: list[int] = []
        self.bad_retry_answers: list[str] = []
        self.done = False


def _send(outcome: Outcome, attempt, success: set[int], start: threading.Barrier):
    """Call ``attempt()`` until it succeeds, retrying only on a well-formed 503."""
    start.wait()
    for _ in range(MAX_ATTEMPTS):
        try:
            response = attempt()
        except requests.ConnectionError as exc:
            outcome.statuses.append(-1)
            outcome.bad_retry_answers.append(f"connection failed: {exc}")
            return
        outcome.statuses.append(response.status_code)
        if response.status_code in success:
            outcome.done = True
            return
        if response.status_code != 503:
            return
        # A retryable answer says so, in the client's language, and when to come back.
        if "Retry-After" not in response.headers:
            outcome.bad_retry_answers.append("503 without Retry-After")
        if "/api/" in response.url and response.json().get("code") != BUSY_CODE:
            outcome.bad_retry_answers.append(f"503 body {response.text[:200]}")
        time.sleep(float(response.headers.get("Retry-After", "1")))


def test_concurrent_submissions_and_edits_are_never_lost(site):
    base = site.base_url
    worker = site.worker_session(WORKER_PHONE)
    form_page = worker.get(f"{base}/m/cases/new/", timeout=30)
    assert form_page.status_code == 200
    csrf = csrf_form_token(form_page.text)
    category_id = site.sql("SELECT id FROM cases_casecategory WHERE is_active ORDER BY id LIMIT 1")[
        0
    ][0]
    token = site.api_token("county")
    api = {"Authorization": f"Bearer {token}"}
    persons = [row[0] for row in site.sql("SELECT id FROM people_person ORDER BY id LIMIT 6")]
    members = site.sql(
        "SELECT id, person_id FROM people_householdmember ORDER BY id LIMIT %s",
        (HOUSEHOLD_DELETES,),
    )
    assert len(members) == HOUSEHOLD_DELETES
    cases_before = site.sql("SELECT count(*) FROM cases_case")[0][0]
    log_before = site.sql("SELECT coalesce(max(id), 0) FROM audit_changelog")[0][0]

    jobs = []
    for i in range(SUBMISSIONS):
        marker = f"并发提交-{i:02d}"

        def submit(marker=marker):
            return worker.post(
                f"{base}/m/cases/new/",
                data={
                    "kind": "demand",
                    "category": category_id,
                    "description": f"{marker}:工地拖欠三个月工资,约两万元。",
                    "employer_name": "祁东县某建筑工地",
                    "csrfmiddlewaretoken": csrf,
                },
                headers={"Referer": f"{base}/m/cases/new/"},
                timeout=60,
                allow_redirects=False,
            )

        jobs.append((Outcome(marker), submit, {302}))
    for i in range(PATCHES):
        # Half of the edits land on the same person, so they contend for one row.
        person_id = persons[0] if i % 2 == 0 else persons[1 + i % 5]
        address = f"并发修改地址-{i:02d}"

        def patch(person_id=person_id, address=address):
            return requests.patch(
                f"{base}/api/v1/people/persons/{person_id}",
                json={"address": address},
                headers=api,
                timeout=60,
            )

        jobs.append((Outcome(f"patch {person_id} {address}"), patch, {200}))
    for i in range(HOUSEHOLD_ADDS):
        name = f"并发成员{i}"

        def add(person_id=persons[i % 6], name=name):
            return requests.post(
                f"{base}/api/v1/people/persons/{person_id}/household",
                json={"relation": "child", "name": name},
                headers=api,
                timeout=60,
            )

        jobs.append((Outcome(f"add {name}"), add, {201}))
    for member_id, person_id in members:

        def delete(member_id=member_id, person_id=person_id):
            return requests.delete(
                f"{base}/api/v1/people/persons/{person_id}/household/{member_id}",
                headers=api,
                timeout=60,
            )

        jobs.append((Outcome(f"delete member {member_id}"), delete, {204}))

    start = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [
            pool.submit(_send, outcome, attempt, success, start)
            for outcome, attempt, success in jobs
        ]
        for future in futures:
            future.result()

    outcomes = [outcome for outcome, _attempt, _success in jobs]
    server_errors = [
        (o.label, o.statuses) for o in outcomes if any(s >= 500 and s != 503 for s in o.statuses)
    ]
    assert not server_errors, f"server errors: {server_errors}\n{site.server_log()[-4000:]}"
    bad = [(o.label, o.bad_retry_answers) for o in outcomes if o.bad_retry_answers]
    assert not bad, f"{bad}\n{site.server_log()[-3000:]}"
    unfinished = [(o.label, o.statuses) for o in outcomes if not o.done]
    assert not unfinished, f"never went through: {unfinished}\n{site.server_log()[-4000:]}"

    # Every submission is there exactly once, with its own number.
    for i in range(SUBMISSIONS):
        rows = site.sql(
            "SELECT number FROM cases_case WHERE description LIKE %s", (f"并发提交-{i:02d}:%",)
        )
        assert len(rows) == 1, f"submission {i}: {rows}"
    numbers = [row[0] for row in site.sql("SELECT number FROM cases_case")]
    assert len(numbers) == len(set(numbers)) == cases_before + SUBMISSIONS

    # Each edit was applied and audited once; the contended person ends on one of them.
    patched = site.sql(
        "SELECT count(*) FROM audit_changelog WHERE object_type = %s AND id > %s",
        ("people.person", log_before),
    )[0][0]
    assert patched == PATCHES
    final_address = site.sql("SELECT address FROM people_person WHERE id = %s", (persons[0],))
    assert final_address[0][0].startswith("并发修改地址-")

    added = site.sql(
        "SELECT count(*) FROM people_householdmember WHERE name LIKE %s", ("并发成员%",)
    )
    assert added[0][0] == HOUSEHOLD_ADDS
    gone = site.sql(
        f"SELECT count(*) FROM people_householdmember WHERE id IN ({','.join('%s' for _ in members)})",
        tuple(member_id for member_id, _ in members),
    )
    assert gone[0][0] == 0


def _hold_write_lock(site, table: str):
    """An open transaction of another client that holds the write lock on ``table`` (all
    of the database on SQLite) until the returned connection is closed."""
    if site.vendor == "sqlite":
        import sqlite3

        conn = sqlite3.connect(site.database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn
    import psycopg

    conn = psycopg.connect(site.database_url)
    conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    return conn


def test_a_write_that_cannot_get_its_lock_is_answered_busy_and_changes_nothing(site):
    # Restart the server with short lock waits, so the test does not wait 20 seconds.
    site.stop()
    site.env.update(HUIGONG_SQLITE_BUSY_TIMEOUT="1", HUIGONG_DB_LOCK_TIMEOUT="1000")
    site.start()
    base = site.base_url
    worker = site.worker_session(WORKER_PHONE)
    csrf = csrf_form_token(worker.get(f"{base}/m/cases/new/", timeout=30).text)
    category_id = site.sql("SELECT id FROM cases_casecategory WHERE is_active ORDER BY id LIMIT 1")[
        0
    ][0]
    token = site.api_token("county")
    person_id, address = site.sql("SELECT id, address FROM people_person ORDER BY id LIMIT 1")[0]
    form = {
        "kind": "demand",
        "category": category_id,
        "description": "锁等待测试:工资被拖欠两个月。",
        "csrfmiddlewaretoken": csrf,
    }

    def submit():
        return worker.post(
            f"{base}/m/cases/new/",
            data=form,
            headers={"Referer": f"{base}/m/cases/new/"},
            timeout=60,
            allow_redirects=False,
        )

    def patch():
        return requests.patch(
            f"{base}/api/v1/people/persons/{person_id}",
            json={"address": "锁等待测试地址"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    lock = _hold_write_lock(site, "cases_case")
    try:
        page = submit()
    finally:
        lock.close()
    assert page.status_code == 503, page.text[:500]
    assert page.headers["Retry-After"] == "2"
    assert "系统正忙,本次提交没有保存,请稍后重新提交" in page.text
    assert (
        site.sql("SELECT count(*) FROM cases_case WHERE description LIKE %s", ("锁等待测试%",))[0][
            0
        ]
        == 0
    )

    lock = _hold_write_lock(site, "people_person")
    try:
        answer = patch()
    finally:
        lock.close()
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"
    assert answer.json() == {
        "code": BUSY_CODE,
        "message": "系统正忙,本次提交没有保存,请稍后重新提交",
        "errors": [],
    }
    assert (
        site.sql("SELECT address FROM people_person WHERE id = %s", (person_id,))[0][0] == address
    )

    # Sent again once the lock is free, both go through, once.
    assert submit().status_code == 302
    assert patch().status_code == 200
    assert (
        site.sql("SELECT count(*) FROM cases_case WHERE description LIKE %s", ("锁等待测试%",))[0][
            0
        ]
        == 1
    )
    assert (
        site.sql("SELECT address FROM people_person WHERE id = %s", (person_id,))[0][0]
        == "锁等待测试地址"
    )
