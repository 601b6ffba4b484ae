"""Huigong settings, read from environment variables.

Every value has a safe *embedded default* for a developer laptop (SQLite under ``var/``,
eager background tasks, console SMS). Those defaults are only for development: with
``HUIGONG_ENV=production`` the system checks in ``huigong.common.checks`` refuse to start while
DEBUG is on or a development key is still in use. Any variable may instead be given as a
file path in ``<NAME>_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("HUIGONG_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str = "") -> str:
    """Read ``name`` from the environment, or from the file named by ``name_FILE``. An empty
    variable counts as unset, so ``HUIGONG_DATABASE_URL= make …`` means "the default"."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    return value in {"1", "true", "yes", "on"}


# Development-only secrets. huigong.common.checks refuses them when HUIGONG_ENV=production.
DEV_SECRET_KEY = "dev-only-insecure-secret-key-do-not-use-in-production"
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # Fernet key, dev only
DEV_HASH_KEY = "dev-only-lookup-hash-key"

HUIGONG_ENV = env("HUIGONG_ENV", "development")
DEBUG = env_bool("HUIGONG_DEBUG", HUIGONG_ENV != "production")
SECRET_KEY = env("HUIGONG_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = [h for h in env("HUIGONG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("HUIGONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Protected personal data (ID numbers, phones, bank accounts): Fernet key for encryption
# at rest, and a separate HMAC key for the exact-lookup hash. Rotate the Fernet key by
# putting the new key first: HUIGONG_ENCRYPTION_KEYS="new,old".
ENCRYPTION_KEYS = [
    k
    for k in env(
        "HUIGONG_ENCRYPTION_KEYS", env("HUIGONG_ENCRYPTION_KEY", DEV_ENCRYPTION_KEY)
    ).split(",")
    if k
]
LOOKUP_HASH_KEY = env("HUIGONG_HASH_KEY", DEV_HASH_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "ninja",  # serves the API docs page's Swagger UI from our static files, not a CDN
    "axes",
    "huigong.common",
    "huigong.kernel",
    "huigong.imports",
    "huigong.orgs",
    "huigong.people",
    "huigong.partners",
    "huigong.cases",
    "huigong.inspections",
    "huigong.accounts",
    "huigong.audit",
    "huigong.holidays",
    "huigong.stats",
    "huigong.inbox",
    "huigong.portal",
    "huigong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "huigong.audit.middleware.RequestIdMiddleware",
    # /healthz answers here, before CommonMiddleware rejects a prober's Host header.
    "huigong.health.HealthCheckMiddleware",
    # /api/ errors stay JSON even with DEBUG on; a wrong encryption key is a clear 500.
    "huigong.errors.ErrorResponsesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Every submitted text in NFC without control characters (huigong.common.input).
    "huigong.common.input.InputNormalizationMiddleware",
    # A write that lost its lock race is answered 503 "busy, send again", not 500.
    "huigong.common.busy.BusyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huigong.accounts.middleware.WorkerBoundaryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # AxesMiddleware should be the last one.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "huigong.urls"
WSGI_APPLICATION = "huigong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "huigong.accounts.context_processors.workbench",
                "huigong.inbox.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("HUIGONG_DATABASE_URL", f"sqlite:///{VAR_DIR / 'huigong.sqlite3'}"),
        conn_max_age=int(env("HUIGONG_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several users at once from one file:
    # - WAL lets readers go on while one transaction writes;
    # - IMMEDIATE takes the write lock when a transaction begins. A deferred transaction
    #   that reads first and writes later cannot wait for the lock (SQLite answers "database
    #   is locked" at once to avoid a deadlock), which lost concurrent submissions;
    # - a writer waits up to `timeout` seconds for the lock (busy timeout) before the
    #   request is answered with a retryable 503 (huigong.common.busy).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": float(env("HUIGONG_SQLITE_BUSY_TIMEOUT", "20")),
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A request never waits longer than this for a row or table lock; it is then answered
    # 503 "busy, send again" (huigong.common.busy) instead of holding a worker thread.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c lock_timeout={int(env('HUIGONG_DB_LOCK_TIMEOUT', '10000'))}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "huigong.accounts.backends.RoleBackend",
    "huigong.accounts.backends.WorkerPhoneBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes): 5 failures per username+IP lock for 30 minutes.
AXES_FAILURE_LIMIT = int(env("HUIGONG_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("HUIGONG_AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: an address is locked too once its failures over all names reach this
# (huigong.accounts.lockout.AddressAwareHandler).
AXES_ADDRESS_FAILURE_LIMIT = int(env("HUIGONG_AXES_ADDRESS_FAILURE_LIMIT", "30"))
AXES_HANDLER = "huigong.accounts.lockout.AddressAwareHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Workers sign in with a phone number: axes counts those attempts under the worker's username.
AXES_USERNAME_CALLABLE = "huigong.accounts.lockout.attempt_name"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "phone"]  # masked in axes' logs
# Behind a reverse proxy every request comes from the proxy's address: the number of
# trusted proxies that append to X-Forwarded-For (nginx in front of gunicorn: 1), so that
# lockouts count the client's address instead of locking out everyone at once.
# 0: REMOTE_ADDR, and X-Forwarded-For (which any client can write) is ignored.
PROXY_COUNT = int(env("HUIGONG_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "huigong.accounts.lockout.client_address"

# Full ID-number or phone searches by a user who may not reveal the persons found: at
# most this many per user per hour (people.search), so a masked number cannot be
# completed by trying its candidates (docs/security.md, "Protected personal data").
FULL_NUMBER_SEARCH_LIMIT = int(env("HUIGONG_FULL_NUMBER_SEARCH_LIMIT", "30"))

# API tokens: the longest lifetime a user may give a token (days).
API_TOKEN_MAX_DAYS = int(env("HUIGONG_API_TOKEN_MAX_DAYS", "365"))
# Looks up the bearer key of an API request (huigong.api.TokenAuth): the project's API
# module knows no app, as Django's auth knows its backends only by these names.
API_TOKEN_AUTHENTICATOR = "huigong.accounts.backends.authenticate_api_key"

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("HUIGONG_SESSION_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("HUIGONG_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("HUIGONG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("HUIGONG_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("HUIGONG_MEDIA_ROOT", str(VAR_DIR / "media")))
# Where `python -m huigong backup` writes (files mode 0600, the directory 0700).
BACKUP_DIR = Path(env("HUIGONG_BACKUP_DIR", str(VAR_DIR / "backups")))
# Uploaded files (case attachments, import previews) live in the private storage: outside
# every URL space, served only by views that check scope and permission
# (huigong.common.files). Its location is read from PRIVATE_MEDIA_ROOT when used.
PRIVATE_MEDIA_ROOT = Path(env("HUIGONG_PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Let the web server send private files after the view has checked the request:
# "X-Accel-Redirect" (nginx, an `internal` location at HUIGONG_SENDFILE_PREFIX, default
# /_protected/) or "X-Sendfile" (Apache mod_xsendfile; prefix defaults to
# PRIVATE_MEDIA_ROOT). Empty: Django streams the file itself.
SENDFILE_HEADER = env("HUIGONG_SENDFILE_HEADER", "")
SENDFILE_PREFIX = env("HUIGONG_SENDFILE_PREFIX", "")
# An uploaded import file waits this many seconds (encrypted, in PRIVATE_MEDIA_ROOT/imports)
# for its confirmation; after that it cannot be confirmed and the sweep deletes it.
IMPORT_PREVIEW_MAX_AGE = int(env("HUIGONG_IMPORT_PREVIEW_MAX_AGE", "3600"))
# The import engine (huigong.imports): the largest file accepted (the web server's body
# limit must allow it on the upload path), rows per chunk (one transaction each), and how
# long a job's worker may stay silent before another worker takes the job over.
IMPORT_MAX_FILE_BYTES = int(env("HUIGONG_IMPORT_MAX_FILE_BYTES", str(200 * 1024 * 1024)))
IMPORT_CHUNK_ROWS = 1000
IMPORT_STALL_SECONDS = 120
# Seconds between two runs of every deadline sweep on Celery beat; empty: each sweep's own
# schedule (hourly for cases). A province may sweep more often; the CI smoke runs at 10 s.
SWEEP_INTERVAL_SECONDS = float(env("HUIGONG_SWEEP_INTERVAL_SECONDS", "0")) or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "huigong.common.files.PrivateFileStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: refuse oversized requests early (Excel imports are the largest legitimate body).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("HUIGONG_MAX_BODY_BYTES", str(10 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Cache: Redis in production, local memory in the embedded default.
REDIS_URL = env("HUIGONG_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env("HUIGONG_CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Keep our logging configuration in workers: Celery would otherwise replace the root
# handler and drop the filters that mask ID and phone numbers and add request ids.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# The beat schedule is built from what the apps register (huigong.kernel.registry:
# deadline sweeps and periodic jobs); see huigong.celery.
# Overdue cases awaiting acceptance or in hand are escalated to the parent organization
# (once per level; categories may opt out).
CASES_AUTO_ESCALATE_OVERDUE = env_bool("HUIGONG_CASES_AUTO_ESCALATE_OVERDUE", True)
STATS_SNAPSHOT_MAX_AGE = int(env("HUIGONG_STATS_SNAPSHOT_MAX_AGE", str(2 * 3600)))
# Dashboards compute live only where a tab would read fewer rows than this (0: always
# from a fresh rollup); the incremental rollup runs a full one at least this often (s).
STATS_LIVE_MAX_ROWS = int(env("HUIGONG_STATS_LIVE_MAX_ROWS", "0"))
STATS_ROLLUP_FULL_EVERY = int(env("HUIGONG_STATS_ROLLUP_FULL_EVERY", "86400"))
# Tile URL template of the statistics map, in GCJ-02 like the organizations' coordinates,
# e.g. 高德 "https://webrd01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}".
# Empty: the map draws its markers on a plain background and makes no request.
MAP_TILES = env("HUIGONG_MAP_TILES", "")

# E-mail (daily case digests): printed to the log unless a backend is configured.
EMAIL_BACKEND = env("HUIGONG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("HUIGONG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("HUIGONG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("HUIGONG_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("HUIGONG_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HUIGONG_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("HUIGONG_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = int(env("HUIGONG_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("HUIGONG_DEFAULT_FROM_EMAIL", "huigong@localhost")

# SMS verification codes: the console backend prints them to the log (development).
SMS_BACKEND = env("HUIGONG_SMS_BACKEND", "huigong.accounts.sms.ConsoleSMSBackend")
SMS_CODE_TTL_SECONDS = 300

# Notifications to workers (kernel.notifications.tell): the inbox always, and these
# channels unless the worker turns them off; nothing leaves between the quiet hours
# (a message waits for their end). Links in SMS need the site's public address.
SITE_URL = env("HUIGONG_SITE_URL", "")
NOTIFICATION_SIGNATURE = env("HUIGONG_SMS_SIGNATURE", "惠工")
NOTIFICATION_WORKER_CHANNELS = ["sms", "wechat"]
NOTIFICATION_QUIET_HOURS = (datetime.time(22, 0), datetime.time(7, 0))
# WeChat subscription messages (kernel.channels): the console backend keeps them; set
# HUIGONG_WECHAT_BACKEND=huigong.kernel.channels.WeChatSubscribeBackend and the rest.
WECHAT_BACKEND = env("HUIGONG_WECHAT_BACKEND", "huigong.kernel.channels.ConsoleWeChatBackend")
WECHAT_API_BASE = env("HUIGONG_WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_APP_ID = env("HUIGONG_WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env("HUIGONG_WECHAT_APP_SECRET", "")
WECHAT_TEMPLATE_ID = env("HUIGONG_WECHAT_TEMPLATE_ID", "")
WECHAT_TEMPLATE_FIELDS = env("HUIGONG_WECHAT_TEMPLATE_FIELDS", "thing1,thing2,time3").split(",")
WECHAT_PAGE = env("HUIGONG_WECHAT_PAGE", "pages/cases/index")

# API lists: ?page=&page_size= (django-ninja).
NINJA_PAGINATION_CLASS = "huigong.api.Pagination"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_PAGE_RANGE = 8

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}
    },
    # Request lines carry query strings (a search for an ID number or phone): every
    # handler masks those numbers (huigong.common.redact). Every record gets the id of
    # the request it belongs to (X-Request-ID, also in the change log).
    "filters": {
        "redact": {"()": "huigong.common.redact.RedactProtectedData"},
        "request_id": {"()": "huigong.audit.middleware.RequestIdLogFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env("HUIGONG_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The development server's request log, through the masking handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Names shown in the UI.
SITE_NAME = _("惠工 · 职工服务平台")
