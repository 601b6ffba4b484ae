"""A real Huigong server in its own process, on its own database, for tests about what
several clients at once do to it.

pytest-django's ``live_server`` shares the test's database connection between threads on
SQLite (an in-memory database cannot be shared otherwise), which serialises every request
and hides exactly the locking these tests are about. So the server here is started the way
users start it: gunicorn with several workers and threads, on a SQLite file (the embedded
default, ``make run``) or on a fresh PostgreSQL database (production).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Huigong@2026"  # the demo accounts' password


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


@dataclass
class LiveSite:
    """A migrated demo county behind a real server process."""

    vendor: str  # "sqlite" or "postgresql"
    database_url: str
    base_url: str = ""
    env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "huigong", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, code: str) -> str:
        """Run ``code`` in a Django shell of the site and return what it printed."""
        return self.manage("shell", "-c", code).strip()

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Read the site's database directly (not through the server)."""
        if self.vendor == "sqlite":
            import sqlite3

            path = self.database_url.removeprefix("sqlite:///")
            with sqlite3.connect(path, timeout=30) as conn:
                return conn.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return conn.execute(query, params).fetchall()

    def sql_write(self, statement: str) -> None:
        """Change the site's database directly (a test's stand-in for time passing)."""
        if self.vendor == "sqlite":
            import sqlite3

            path = self.database_url.removeprefix("sqlite:///")
            with sqlite3.connect(path, timeout=30) as conn:
                conn.execute(statement)
            return
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            conn.execute(statement)

    def start(self) -> None:
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = Path(self.env["HUIGONG_VAR_DIR"]) / "server.log"
        # Served as `make run` and the production docs serve it: gunicorn, several
        # processes with several threads each (Django's runserver is for development only:
        # its listen queue of 10 resets the connections of a crowd).
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "huigong.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--timeout",
            "60",
        ]
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server did not answer:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def server_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    # -- clients -------------------------------------------------------------------------

    def worker_session(self, phone: str) -> requests.Session:
        """A portal session signed in with the worker's phone number."""
        session = requests.Session()
        session.get(f"{self.base_url}/m/login/", timeout=30)
        response = session.post(
            f"{self.base_url}/m/login/",
            data={
                "phone": phone,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": f"{self.base_url}/m/login/"},
            timeout=30,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:2000]
        return session

    def api_token(self, username: str) -> str:
        """A read-write API token for a demo account."""
        return self.python(
            "from huigong.accounts.models import ApiToken, User; "
            f"token, key = ApiToken.issue(User.objects.get(username={username!r}), 'live', scope='write'); "
            "print(key)"
        ).splitlines()[-1]


def build_site(tmp_path: Path, test_database_url: str | None) -> LiveSite:
    """Create the database (a SQLite file, or a new PostgreSQL database on the server the
    test run uses), migrate it and load the demo county."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    if test_database_url and test_database_url.startswith("postgres"):
        import psycopg

        name = f"huigong_live_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_postgres_admin_url(test_database_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = urlunsplit(urlsplit(test_database_url)._replace(path=f"/{name}"))
        vendor = "postgresql"
    else:
        database_url = f"sqlite:///{var_dir / 'huigong.sqlite3'}"
        vendor = "sqlite"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HUIGONG_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        HUIGONG_VAR_DIR=str(var_dir),
        HUIGONG_DATABASE_URL=database_url,
        HUIGONG_DEBUG="1",
        HUIGONG_LOG_LEVEL="WARNING",
    )
    site = LiveSite(vendor=vendor, database_url=database_url, env=env)
    site.manage("migrate", "--noinput")
    site.manage("seed_reference")
    site.manage("demo", "--if-empty")
    return site


def drop_site(site: LiveSite) -> None:
    site.stop()
    if site.vendor == "postgresql":
        import psycopg

        name = urlsplit(site.database_url).path.lstrip("/")
        with psycopg.connect(_postgres_admin_url(site.database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def csrf_form_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
