"""What the production path relies on: the static build with the manifest storage, log
lines carrying the request id, every setting documented, `make run` with DEBUG off.
(`scripts/ci_production.sh` starts the real processes from requirements.txt alone.)"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from huigong.audit.middleware import RequestIdLogFilter

PROJECT = Path(django_settings.PROJECT_DIR)
SETTINGS_PY = Path(django_settings.BASE_DIR) / "settings.py"


def test_collectstatic_with_the_production_storage_builds_the_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/tabler/css/tabler.min.css",
        "vendor/tom-select/css/tom-select.bootstrap5.min.css",
        "huigong/app.css",
    ):
        assert (tmp_path / paths[name]).is_file(), name
    # The source map reference was rewritten to the hashed map, which exists.
    css = (tmp_path / paths["vendor/tabler/css/tabler.min.css"]).read_text()
    hashed_map = paths["vendor/tabler/css/tabler.min.css.map"]
    assert f"sourceMappingURL={Path(hashed_map).name}" in css


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def configured_log():
    """A handler with the filters and format of the configured console handler."""
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdLogFilter) for f in h.filters)
    )
    handler = ListHandler()
    handler.setFormatter(console.formatter)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_request_id(client, configured_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-4711-abcd")
    assert response["X-Request-ID"] == "req-4711-abcd"
    not_found = [line for line in configured_log.lines if "Not Found: /no-such-page/" in line]
    assert not_found and all("[req-4711-abcd]" in line for line in not_found)


def test_log_lines_outside_a_request_say_so(configured_log):
    logging.getLogger("huigong.test").warning("outside")
    assert configured_log.lines[-1].endswith("[-] huigong.test outside")


def test_every_setting_read_by_settings_py_is_documented_in_the_readme():
    names = set(
        re.findall(r"""["'](HUIGONG_[A-Z0-9_]+)["']""", SETTINGS_PY.read_text(encoding="utf-8"))
    )
    assert "HUIGONG_EMAIL_USE_TLS" in names  # the pattern finds what it should
    assert "HUIGONG_DB_LOCK_TIMEOUT" in names  # single-quoted inside an f-string
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert sorted(n for n in names if not re.search(rf"\b{n}\b", readme)) == []


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_with_debug_off_and_make_dev_with_debug_on():
    def commands(target: str) -> str:
        return subprocess.run(
            ["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, check=True
        ).stdout

    run = commands("run")
    serve = next(line for line in run.splitlines() if "gunicorn huigong.wsgi" in line)
    assert "HUIGONG_DEBUG=0" in serve and "HUIGONG_SECURE_COOKIES=0" in serve
    static = next(line for line in run.splitlines() if "collectstatic" in line)
    assert "HUIGONG_DEBUG=0" in static
    dev = commands("dev")
    assert "runserver" in dev and "HUIGONG_DEBUG=0" not in dev
