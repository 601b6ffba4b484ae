"""Property-based API checks with schemathesis: for every documented operation, requests
generated from the OpenAPI document — valid ones and deliberately invalid ones — never
produce a server error, and every JSON error carries a known ``code``.

Calls go in-process through the WSGI application, inside the test's database transaction,
as a county cadre with an API token. Kept small (a few examples per operation and mode)
so the run takes seconds; set ``HUIGONG_FUZZ_EXAMPLES`` for a deeper local run.
(schemathesis' own pytest fixture integration does not work with pytest 9, so the
operations are walked here with Hypothesis directly.)"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from huigong.api import ErrorCode
from huigong.testing.factories import PersonFactory

from .conftest import API, bearer

KNOWN_CODES = {v for k, v in vars(ErrorCode).items() if k.isupper()}
EXAMPLES = int(os.environ.get("HUIGONG_FUZZ_EXAMPLES", "4"))


def _check(case, headers: dict[str, str], failures: list[str]) -> None:
    response = case.call(headers=headers)
    where = f"{case.method} {case.formatted_path} {case.query or ''} {str(case.body)[:80]}"
    if response.status_code >= 500:
        failures.append(f"{response.status_code} for {where}: {response.text[:300]}")
        return
    # Django's <path> converter does not match line breaks, so such paths get the HTML 404.
    exotic_path = any(c in case.formatted_path for c in ("\n", "\r", "%0A", "%0D", "%0a", "%0d"))
    if response.status_code >= 400 and not exotic_path:
        headers_ci = {k.lower(): v for k, v in response.headers.items()}
        content_type = headers_ci.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        if not content_type.startswith("application/json"):
            failures.append(f"non-JSON {response.status_code} for {where}")
        elif response.json().get("code") not in KNOWN_CODES:
            failures.append(f"unknown error code for {where}: {response.text[:200]}")


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


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_cause_a_server_error(wsgi_app, tree, county_cadre, mode):
    PersonFactory(organization=tree.xinfa, name="王建国")
    PersonFactory(organization=tree.liuquan, name="李秀英")
    headers = {"Authorization": bearer(county_cadre)["HTTP_AUTHORIZATION"]}
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # Each example in its own savepoint, rolled back: examples stay independent,
            # and on PostgreSQL one failing statement does not poison the ones after it.
            with transaction.atomic():
                _check(case, headers, failures)
                transaction.set_rollback(True)

        run()
    assert operations, "the OpenAPI document lists no operation"
    assert not failures, "\n".join(sorted(set(failures))[:20])
