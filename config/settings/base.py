"""Settings shared by every environment; everything that differs comes from the environment."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
import pgtrigger
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR") or BASE_DIR / ".data")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # ArrayField lookups (a social worker's specialties)
    "rest_framework",
    "rest_framework.authtoken",  # tables of the old tokens (no longer accepted): see knox
    "knox",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "stations",
    # Registry seams (rules, demo steps, panels) are collected in this order: workforce
    # builds on procurement (workers are stationed under contracts).
    "procurement",
    "workforce",
    "supervision",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stations.middleware.SessionIdleMiddleware",
    "stations.middleware.PasswordChangeRequiredMiddleware",
    "stations.middleware.ActiveMembershipMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Last: turns a locked-out sign-in into the lockout answer (config.lockout).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, fonts, images and requests only
# from the platform itself; no inline script, no eval, no framing. Inline style
# attributes stay allowed (progress bars, widths).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A session ends after SESSION_IDLE_MINUTES without a request (renewed at most once a
# minute by stations.middleware.SessionIdleMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60

# Sign-in lockout (django-axes): after LOGIN_FAILURE_LIMIT failed attempts for one
# username from one address, that pair is refused for LOGIN_COOLOFF_MINUTES, on the
# login page and the token endpoint alike. `manage.py axes_reset_username NAME` unlocks.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_VERBOSE = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "stations.context_processors.membership",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded PostgreSQL when it is unset.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from config import embedded_db

    DATABASE_URL = embedded_db.database_url()
    EMBEDDED_DATABASE = True
else:
    EMBEDDED_DATABASE = False
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
# No JIT: the rules' correlated subqueries look expensive to the planner, which then spends
# about 300 ms compiling a query that runs in 120 ms (registration_valid on 柳州's data).
# Added to any options DATABASE_URL gives. Behind PgBouncer, list "options" in its
# ignore_startup_parameters and set jit = off on the database instead.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# A second connection to the same database: a long job reports its progress through it
# while its own transaction is still open, so the page polling the job sees it move.
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# History rows are written once per statement (one INSERT … SELECT from the statement's
# rows, one context), not once per row: a 7,000-row import writes its history in three
# statements instead of 21,000 trigger calls.
PGHISTORY_LEVEL = pgtrigger.Statement

# Password rules (MLPS level 3): at least 8 characters, three of upper case, lower case,
# digit and symbol, not containing the username (stations.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "stations.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "stations.passwords.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "stations.passwords.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first, English available; all times in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or DATA_DIR / "media")
# Personal information (PIPL). Resident ID numbers are encrypted at rest with Fernet
# (django-fernet-encrypted-fields): keys derived from SECRET_KEY (and SECRET_KEY_FALLBACKS)
# and each SALT_KEY, the first of them encrypting; losing both makes them unreadable.
SALT_KEY = [
    salt
    for salt in os.environ.get("FIELD_ENCRYPTION_SALT", "shegongzhan-personal-data").split(",")
    if salt
]
# The key of the HMAC that finds an ID number without decrypting (SECRET_KEY when unset).
ID_NUMBER_HASH_KEY = os.environ.get("ID_NUMBER_HASH_KEY", "")
# Upper bound of an uploaded PDF (signed contracts, evaluation reports), in megabytes.
PDF_UPLOAD_MAX_MB = int(os.environ.get("PDF_UPLOAD_MAX_MB", "20"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call then answers 401 with WWW-Authenticate.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # Requests per client: anonymous ones (the token endpoint) by address, signed-in by user.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/min"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "config.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# API tokens (django-rest-knox): only a hash is stored; each expires after API_TOKEN_DAYS;
# logging out revokes it, changing the password revokes all of the user's tokens.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=int(os.environ.get("API_TOKEN_DAYS", "30"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社工站管理平台 API",
    "DESCRIPTION": (
        "乡镇（街道）社工站管理平台的 REST API。多租户：用 X-Tenant 头或 ?tenant= 选择租户。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport, which
# needs no server and still runs tasks in a real worker process.
REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache the API throttles count in, shared by every web process: Redis when there
# is one, else files under DATA_DIR.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_QUEUE_DIR = Path(os.environ.get("CELERY_QUEUE_DIR") or DATA_DIR / "celery-queue")
if not REDIS_URL:
    (CELERY_QUEUE_DIR / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR),
        "data_folder_out": str(CELERY_QUEUE_DIR),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "reports-expire-stale-jobs": {
        "task": "reports.tasks.fail_stale_jobs",
        "schedule": 15 * 60,
    },
    "stations-fail-stale-imports": {
        "task": "stations.tasks.fail_stale_imports",
        "schedule": 15 * 60,
    },
    # Uploaded spreadsheets are kept 30 days with their import job, then deleted.
    "stations-purge-import-files": {
        "task": "stations.tasks.purge_import_files",
        "schedule": 24 * 60 * 60,
    },
    # Each membership's alerts and digest e-mail, every morning at 08:00 (Asia/Shanghai).
    "reports-daily-alerts": {
        "task": "reports.tasks.daily_alerts",
        "schedule": crontab(hour="8", minute="0"),
    },
    # Each tenant's coverage and compliance reports for the previous month, the 1st at 02:00.
    "reports-monthly": {
        "task": "reports.tasks.monthly_reports",
        "schedule": crontab(day_of_month="1", hour="2", minute="0"),
    },
}
# Seconds a coverage report waits before rendering (0 in production): lets the
# tests kill a worker mid-report and shows the progress bar on a demo machine.
REPORTS_RENDER_DELAY_SECONDS = float(os.environ.get("REPORTS_RENDER_DELAY_SECONDS", "0"))

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "shegong-demo-2026")

# Alerts' daily digest: printed to the console unless an SMTP host is given (EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS as Django reads them).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@shegong.local")
EMAIL_TIMEOUT = 30  # seconds: a hung mail server never stalls the morning's alerts
# The address people open the platform at, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}
