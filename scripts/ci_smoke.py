"""Steps of the production-shape smoke test (scripts/ci_production.sh, step 6).

    python scripts/ci_smoke.py token <username>          a read-write API token for the account
    python scripts/ci_smoke.py category                  a case category a worker may choose
    python scripts/ci_smoke.py import-start <username> <rows>   upload a roster; prints the job
    python scripts/ci_smoke.py import-confirm <username> <job>
    python scripts/ci_smoke.py import-state <job>        JSON: state and counters
    python scripts/ci_smoke.py make-late <case number>   its deadlines moved into the past
    python scripts/ci_smoke.py case-state <case number>  JSON: status, overdue flag, events
    python scripts/ci_smoke.py session <username>        a signed-in session cookie

Runs against the installed package and the environment of the deployment (the script
sets nothing up itself): what happens in the background happens in the real Celery
worker, which the shell script watches through these read-outs.
"""

from __future__ import annotations

import datetime
import json
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huigong.settings")
    import django

    django.setup()


def _user(username: str):
    from huigong.accounts.models import User

    return User.objects.get(username=username)


def token(username: str) -> str:
    from huigong.accounts.models import ApiToken, TokenScope

    return ApiToken.issue(_user(username), "ci_smoke", scope=TokenScope.WRITE)[1]


def category() -> str:
    from huigong.cases.models import CaseCategory

    return str(CaseCategory.objects.get(code="employment").pk)


def import_start(username: str, rows: str) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from stdnum.cn import ric

    from huigong.imports import services
    from huigong.orgs.models import Organization

    union = Organization.objects.filter(name__contains="新发食品").values_list("name", flat=True)[0]
    lines = ["姓名,身份证号码,所属工会,手机号"]
    for serial in range(int(rows)):
        body = f"430426198{serial % 10}0{1 + serial % 9}1{serial % 9}{700 + serial:03d}"
        lines.append(f"烟测{serial},{body}{ric.calc_check_digit(body + '0')},{union},")
    upload = SimpleUploadedFile("smoke.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))
    job = services.start_import(actor=_user(username), kind_key="people.person", upload=upload)
    return str(job.pk)


def import_confirm(username: str, job_id: str) -> str:
    from huigong.imports import services
    from huigong.imports.models import ImportJob

    job = services.confirm_import(actor=_user(username), job=ImportJob.objects.get(pk=job_id))
    return job.state


def import_state(job_id: str) -> str:
    from huigong.imports.models import ImportJob
    from huigong.people.models import Person

    job = ImportJob.objects.get(pk=job_id)
    return json.dumps(
        {
            "state": job.state,
            "valid": job.valid_rows,
            "errors": job.error_rows,
            "imported": job.imported_rows,
            "persons": Person.objects.filter(name__startswith="烟测").count(),
            "staged_chunks": job.chunks.count(),
        }
    )


def make_late(number: str) -> str:
    from huigong.cases.models import Case

    past = datetime.date.today() - datetime.timedelta(days=30)
    changed = Case.objects.filter(number=number).update(
        due_date=past, accept_due=past, due_soon=False, is_overdue=False
    )
    return str(changed)


def session(username: str) -> str:
    """A signed-in session of the account, as the sign-in page would leave it: the
    cookie (name=value) a browser would send."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    user = _user(username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "huigong.accounts.backends.RoleBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def case_state(number: str) -> str:
    from huigong.cases.models import Case

    case = Case.objects.get(number=number)
    events = sorted(set(case.events.values_list("kind", flat=True)))
    return json.dumps({"status": case.status, "is_overdue": case.is_overdue, "events": events})


STEPS = {
    "token": token,
    "category": category,
    "import-start": import_start,
    "import-confirm": import_confirm,
    "import-state": import_state,
    "make-late": make_late,
    "case-state": case_state,
    "session": session,
}

if __name__ == "__main__":
    _setup()
    print(STEPS[sys.argv[1]](*sys.argv[2:]))
