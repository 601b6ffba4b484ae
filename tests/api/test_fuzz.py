"""The bounded schemathesis run of ``make test`` (marker ``fuzz``): requests generated from
the published OpenAPI document, valid and deliberately invalid, sent as a staff cadre, a
worker and a partner department over the demo county. Every response must be no server
error, have a documented status code and content type, and a body that matches the
documented schema (``ErrorOut`` for errors).

How it stays bounded and repeatable:

- calls go in-process through the WSGI application, inside one database transaction per
  example that is rolled back, so examples never affect each other and nothing is kept;
- each operation gets ``HUIGONG_FUZZ_EXAMPLES`` examples (default 10) per generation mode:
  *generated* (valid input, random ids), *known ids* (valid input, path ids pinned to real
  rows the user may see, so the success paths run) and *negative* (invalid input);
- Hypothesis runs from a fixed seed (``HUIGONG_FUZZ_SEED``) without its example
  database, with a per-request deadline (``HUIGONG_FUZZ_DEADLINE`` seconds, default 10).

Select it with ``pytest -m fuzz``; leave it out with ``-m "not fuzz"``. A deeper run:
``make fuzz`` (60 examples), or another seed: ``HUIGONG_FUZZ_SEED=7 make fuzz``.
(schemathesis' own pytest integration does not work with pytest 9, so the operations are
walked here with Hypothesis directly.)"""

from __future__ import annotations

import datetime
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from huigong.accounts.models import User
from huigong.cases.models import (
    Case,
    Mediation,
    Referral,
    Supervision,
)
from huigong.common import workdays
from huigong.inspections.models import Inspection, InspectionFinding, RectificationOrder
from huigong.people.models import HouseholdMember

from .conftest import API, bearer

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("HUIGONG_FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("HUIGONG_FUZZ_SEED", "20260"))
DEADLINE = datetime.timedelta(seconds=float(os.environ.get("HUIGONG_FUZZ_DEADLINE", "10")))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MODES = {
    "generated": GenerationMode.POSITIVE,
    "known ids": GenerationMode.POSITIVE,
    "negative": GenerationMode.NEGATIVE,
}


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker):
    """The demo county, loaded once for this module inside a transaction rolled back at
    the end (each test runs in a savepoint within it)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("demo", "--if-empty", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            workdays.invalidate_years()


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, minus the per-request connection clean-up, exactly
    as Django's test client does it: closing the connection mid-test would drop the test
    transaction (PostgreSQL)."""
    from huigong.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _first_id(queryset) -> int | None:
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def _staff_ids() -> dict[str, int | None]:
    """Real rows of the demo county that the county cadre sees, by path parameter name."""
    supervision = Supervision.objects.order_by("pk").first()
    case_id = supervision.case_id if supervision else _first_id(Case.objects.all())
    inspection = Inspection.objects.filter(status="in_progress").order_by("pk").first()
    inspection = inspection or Inspection.objects.order_by("pk").first()
    member = HouseholdMember.objects.order_by("pk").first()
    return {
        "case_id": case_id,
        "supervision_id": supervision.pk if supervision else None,
        "referral_id": _first_id(Referral.objects.filter(case_id=case_id))
        or _first_id(Referral.objects.all()),
        "mediation_id": _first_id(Mediation.objects.all()),
        "inspection_id": inspection.pk if inspection else None,
        "target_id": _first_id(inspection.targets.all()) if inspection else None,
        "finding_id": _first_id(InspectionFinding.objects.filter(target__inspection=inspection)),
        "order_id": _first_id(
            RectificationOrder.objects.filter(finding__target__inspection=inspection)
        ),
        "org_id": member.person.organization_id if member else None,
        "person_id": member.person_id if member else None,
        "member_id": member.pk if member else None,
    }


def _worker_ids(worker: User) -> dict[str, int | None]:
    cases = Case.objects.filter(parties__person_id=worker.person_id)
    return {
        "case_id": _first_id(cases.filter(status__in=["accepted", "in_progress"]))
        or _first_id(cases),
        "mediation_id": _first_id(Mediation.objects.filter(case__in=cases)),
    }


def _partner_ids(partner: User) -> dict[str, int | None]:
    return {"referral_id": _first_id(Referral.objects.filter(department__members=partner))}


def _users() -> dict[str, tuple[User, dict[str, int | None]]]:
    staff = User.objects.get(username="county")
    worker = User.objects.filter(kind="worker", person__isnull=False).order_by("pk").first()
    partner = User.objects.get(username="partner")
    return {
        "staff": (staff, _staff_ids()),
        "worker": (worker, _worker_ids(worker)),
        "partner": (partner, _partner_ids(partner)),
    }


def _where(case) -> str:
    body = "" if case.body is None else str(case.body)[:120]
    return f"{case.method} {case.formatted_path} {case.query or ''} {body}"


def _run_operation(operation, headers, ids, mode_name, tally: Tally) -> None:
    mode = MODES[mode_name]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=DEADLINE,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    def run(case):
        if mode_name == "known ids":
            for name in list(case.path_parameters or {}):
                if ids.get(name) is not None:
                    case.path_parameters[name] = ids[name]
        # Each example in its own savepoint, rolled back: examples stay independent,
        # and on PostgreSQL one failing statement does not poison the ones after it.
        with transaction.atomic():
            response = case.call(headers=headers)
            tally.requests += 1
            tally.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = f"{operation.label}: {failure.title}"
                    tally.failures.setdefault(key, f"{_where(case)}\n  {failure.message[:600]}")
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("role", ["staff", "worker", "partner"])
def test_generated_requests_conform_to_the_document(demo_county, db, wsgi_app, role, capsys):
    user, ids = _users()[role]
    headers = {"Authorization": bearer(user, scope="write")["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    tally = Tally()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        for mode_name in MODES:
            if mode_name == "known ids" and "{" not in operation.path:
                continue
            _run_operation(operation, headers, ids, mode_name, tally)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(tally.statuses.items()))
        print(
            f"\nschemathesis as {role}: {tally.operations} operations, {tally.requests} "
            f"requests ({statuses}), {len(tally.failures)} failures, {elapsed:.0f} s"
        )
    assert tally.operations, "the OpenAPI document lists no operation"
    assert not tally.failures, "\n\n".join(
        f"{key}\n  {detail}" for key, detail in sorted(tally.failures.items())
    )
