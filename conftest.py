"""Root pytest configuration: shared fixtures and the browser-test switch.

Browser tests (marker ``browser``, under ``tests/e2e/``) drive Debian's Chromium
(``/usr/bin/chromium``, or ``HUIGONG_CHROMIUM``) through Playwright against pytest-django's
``live_server``. Playwright never downloads a browser here. Without Chromium they are
skipped, unless ``HUIGONG_REQUIRE_BROWSER=1`` (CI), which turns the absence into a failure.
Run only them with ``pytest -m browser``, or leave them out with ``-m "not browser"``.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest

pytest_plugins = ["huigong.testing.fixtures"]

ROOT = Path(__file__).resolve().parent
RESULTS_DIR = ROOT / "test-results"
CHROMIUM = Path(os.environ.get("HUIGONG_CHROMIUM", "/usr/bin/chromium"))
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher costs ~0.3 s per user; tests create several users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _browser_unavailable(reason: str):
    if os.environ.get("HUIGONG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"HUIGONG_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium for the test module (each test gets its own context)."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed")
    # Playwright's sync API keeps an event loop in this thread, and Django then refuses
    # ORM calls from the test and its fixtures ("async context"). They really are
    # synchronous, so allow them while the browser is up, and only then: the module scope
    # stops the loop again before the next module's tests.
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        _restore_env(ASYNC_UNSAFE, previous)
        _browser_unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        _restore_env(ASYNC_UNSAFE, previous)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@pytest.fixture
def browser_page(chromium, live_server, request):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server.

    JavaScript errors and failed static/page requests are collected in
    ``page.problems``; a failing test leaves a screenshot in ``test-results/``."""
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 and "/static/" in r.url
            else None
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.problems = problems
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        # The page may be gone already; the test's own failure is what matters.
        with contextlib.suppress(Exception):
            page.screenshot(path=str(RESULTS_DIR / f"failed-{name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(items):
    # A test that opens a browser is a browser test, whether or not it says so.
    for item in items:
        if "browser_page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
