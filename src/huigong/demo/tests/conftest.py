"""The demo loaded once per test module (it takes a few seconds)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from huigong.common import workdays


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for this module, inside a transaction rolled back at the end;
    each test runs in a savepoint within it, so tests still cannot affect each other."""
    # The demo sets a dozen passwords; the production hasher would dominate the runtime.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield run_demo("--if-empty")
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            # The demo seeds the holiday table; its rows are rolled back, so the
            # per-process cache of the table must go too.
            workdays.invalidate_years()
